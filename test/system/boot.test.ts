import * as assert from "assert";
import * as fs from "fs";
import { requirePrerequisites } from "../support/tools";
import { NET, SystemHost, systemPrerequisites } from "./harness";

// The harness itself: the throwaway root boots, cloud-init runs a NoCloud seed, this
// machine's own / stays untouched, and the peers reach the host over the fake
// tailnet and the public side.
describe("system: throwaway root boots and cloud-init runs its seed", function () {
  this.timeout(300_000);
  let host: SystemHost | undefined;
  const marker = `/etc/clawkit-system-smoke-${process.pid}`;
  const ranMarker = `/var/tmp/clawkit-system-smoke-runcmd-${process.pid}`;
  const userData = `#cloud-config
write_files:
  - path: ${marker}
    content: written by cloud-init
    permissions: "0640"
runcmd:
  - [touch, ${ranMarker}]
`;

  before(async function () {
    requirePrerequisites(this, ...systemPrerequisites());
    host = await SystemHost.start({
      userData,
      files: { "/etc/clawkit-staged": { content: "staged before boot\n", mode: 0o600 } },
    });
    console.log(
      `      boot: ${(host.bootMs / 1000).toFixed(1)} s to "${host.systemState}"` +
        (host.failedUnits.length ? `; failed units: ${host.failedUnits.join(", ")}` : ""),
    );
  });

  after(async function () {
    await host?.stop();
  });

  it("finishes booting, running or degraded only for reasons it names", function () {
    assert.ok(["running", "degraded"].includes(host!.systemState), host!.systemState);
    if (host!.systemState === "degraded") {
      for (const unit of host!.failedUnits)
        console.log(`      failed: ${unit}\n${host!.journal(unit, 20)}`);
    }
  });

  it("runs inside its own machine: own machine-id, own hostname, not this one's", function () {
    const inside = host!.exec("cat /etc/machine-id; hostname; systemd-detect-virt");
    assert.strictEqual(inside.status, 0, inside.stderr);
    const [machineId, hostname, virt] = inside.stdout.trim().split("\n");
    assert.notStrictEqual(machineId, fs.readFileSync("/etc/machine-id", "utf8").trim());
    assert.strictEqual(hostname, `clawkit-${host!.id}`);
    assert.strictEqual(virt, "systemd-nspawn");
  });

  it("cloud-init found the NoCloud seed and applied write_files and runcmd", function () {
    const status = host!.exec("cloud-init status --wait --long");
    assert.match(status.stdout, /status: done/, status.stdout + status.stderr);
    assert.match(status.stdout, /DataSourceNoCloud/);
    assert.strictEqual(host!.readFile(marker), "written by cloud-init");
    assert.strictEqual(host!.exec(["stat", "-c", "%a", marker]).stdout.trim(), "640");
    assert.strictEqual(host!.exec(["test", "-e", ranMarker]).status, 0, "runcmd did not run");
    assert.strictEqual(host!.readFile("/etc/clawkit-staged"), "staged before boot\n");
  });

  it("leaves this machine's own / untouched", function () {
    for (const f of [marker, ranMarker, "/etc/clawkit-staged", "/var/lib/cloud/instance"]) {
      assert.ok(!fs.existsSync(f), `${f} leaked onto this machine`);
    }
    host!.writeFile("/etc/clawkit-written-later", "x");
    assert.ok(!fs.existsSync("/etc/clawkit-written-later"));
  });

  it("has the public and tailnet interfaces with the topology's addresses, IPv4 and IPv6", function () {
    const addrs = host!.exec(["ip", "-o", "addr", "show"]).stdout;
    for (const [dev, family, address] of [
      [NET.publicIf, "inet", NET.publicHost],
      [NET.tailnetIf, "inet", NET.tailnetHost],
      [NET.publicIf, "inet6", NET.publicHost6],
      [NET.tailnetIf, "inet6", NET.tailnetHost6],
    ]) {
      const escaped = address.replace(/[.:]/g, "\\$&");
      assert.match(addrs, new RegExp(`${dev}\\s+${family} ${escaped}/`), `${dev} ${address}`);
    }
  });

  it("is reachable from the tailnet peer over tailscale0 and from the internet peer, both families", function () {
    for (const [tailnet, internet] of [
      [NET.tailnetHost, NET.publicHost],
      [NET.tailnetHost6, NET.publicHost6],
    ]) {
      // sshd of this machine's image listens on 22 inside the root (no firewall yet).
      assert.ok(host!.tcpConnect("tailnet", tailnet, 22), `tailnet peer -> ${tailnet}:22`);
      assert.ok(host!.tcpConnect("internet", internet, 22), `internet peer -> ${internet}:22`);
      // Nothing listens on 9: refused at once, not a timeout.
      assert.ok(!host!.tcpConnect("internet", internet, 9, 1000));
    }
  });

  for (const [family, upstream, source] of [
    ["IPv4", NET.upstreamAllowed, NET.publicHost],
    ["IPv6", NET.upstreamAllowed6, NET.publicHost6],
  ]) {
    it(`routes from the host to the upstream namespace through the internet peer (${family})`, function () {
      const server = host!.spawnIn("upstream", [
        "python3",
        "-c",
        "import socket, sys\n" +
          "s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)\n" +
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
          "s.bind((sys.argv[1], 8080)); s.listen(); print('ready', flush=True)\n" +
          "while True: c, a = s.accept(); c.sendall(a[0].encode()); c.close()",
        upstream,
      ]);
      return new Promise<void>((resolve, reject) => {
        server.stdout!.once("data", () => {
          try {
            const r = host!.exec([
              "python3",
              "-c",
              "import socket, sys; s = socket.create_connection((sys.argv[1], 8080), timeout=3); print(s.recv(64).decode())",
              upstream,
            ]);
            assert.strictEqual(r.status, 0, r.stderr);
            // The upstream server saw the host's public address (routed, not NATed).
            assert.strictEqual(r.stdout.trim(), source);
            server.kill("SIGKILL");
            resolve();
          } catch (error) {
            reject(error);
          }
        });
        server.once("exit", (code) => reject(new Error(`upstream server exited (${code})`)));
      });
    });
  }
});
