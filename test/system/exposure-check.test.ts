/**
 * The exposure check that `pulumi up` runs (vps/exposure-check.mjs), run
 * against the throwaway host as `pulumi up` runs it: the command line
 * exposureCheckCommand builds, through `sh -c`, with the kit's Node binary
 * (vps/host/node/node) and the gateway token on stdin. host.test.ts calls
 * describeExposureCheck once the host is provisioned and holds its token; this file
 * registers nothing on its own.
 */
import * as assert from "assert";
import * as path from "path";
import { exposureCheckCommand, exposurePorts, ExposureTargets } from "../../vps/exposureCheck";
import { HOST } from "../../vps/host/paths";
import { NODE24 } from "../support/tools";
import { GATEWAY_PORT } from "./clawkitHost";
import { ExecResult, NET, Peer, SystemHost } from "./harness";

const PROBE = path.join(__dirname, "probe.py");

/** What the exposure check's tests need from the suite that booted the host. */
export interface ExposureCheckContext {
  readonly host: SystemHost;
  /** The token the gateway holds now. */
  readonly token: string;
  /** The suite's figures for `npm run bench`. */
  readonly figures: Record<string, unknown>;
}

export function describeExposureCheck(ctx: () => ExposureCheckContext): void {
  describe("the exposure check `pulumi up` runs, from the peers, with the kit's Node [R2]", function () {
    const served = `http://${NET.tailnetHost}:443`;
    const publicAddresses = [NET.publicHost, NET.publicHost6];

    /** Every port a listener on the host uses (what the posture report will feed in). */
    const listenerPorts = (): number[] => {
      const ports = ctx()
        .host.exec("ss -Hltn")
        .stdout.split("\n")
        .filter((l) => l.trim())
        .map((l) => {
          const local = l.trim().split(/\s+/)[3];
          return Number(local.slice(local.lastIndexOf(":") + 1));
        });
      return [...new Set(ports)];
    };

    /** The check, from a peer, exactly as the ExposureCheck command runs it; timed. */
    const check = (
      peer: Peer,
      targets: Partial<ExposureTargets>,
    ): ExecResult & { seconds: number; output: string } => {
      const command = exposureCheckCommand(NODE24, {
        publicAddresses: [],
        ports: [],
        lockdown: false,
        ...targets,
      });
      const start = Date.now();
      const r = ctx().host.execIn(peer, ["sh", "-c", command], {
        input: `${ctx().token}\n`,
        timeoutMs: 60_000,
      });
      const seconds = (Date.now() - start) / 1000;
      const output = r.stdout + r.stderr;
      assert.ok(!output.includes(ctx().token), "the check printed the token");
      for (const line of output.trim().split("\n")) console.log(`      ${peer}> ${line}`);
      return { ...r, seconds, output };
    };

    it("passes on the kit's host: every public port closed (IPv4, IPv6), and the token checks through serve", function () {
      console.log(
        "      note: the public half runs in the internet peer and the tailnet half in the tailnet peer, as an operator's\n" +
          "            machine reaches each through a different interface: no peer here has both routes",
      );
      const ports = exposurePorts(GATEWAY_PORT, listenerPorts());
      const pub = check("internet", { publicAddresses, ports });
      const tailnet = check("tailnet", { url: served });
      ctx().figures.exposureCheckSeconds = pub.seconds + tailnet.seconds;
      console.log(
        `      exposure check: ${pub.seconds.toFixed(1)} s public half + ${tailnet.seconds.toFixed(1)} s tailnet half (${ports.length} ports, each address)`,
      );
      assert.strictEqual(pub.status, 0, pub.output);
      assert.strictEqual(tailnet.status, 0, tailnet.output);
      for (const address of publicAddresses)
        assert.match(pub.stdout, new RegExp(`${address}: ${ports.length} ports `));
      assert.ok(!pub.stdout.includes("SKIPPED"), pub.stdout);
      assert.match(tailnet.stdout, /no token 401, a wrong token 401, the token 200/);
    });

    it("an operator's machine with no IPv6 route: that half is SKIPPED and said, IPv4 still checked", function () {
      const host = ctx().host;
      // No route to the host's IPv6 address from the internet peer, for this test only.
      const route = ["ip", "-6", "route", "add", "unreachable", `${NET.publicHost6}/128`];
      assert.strictEqual(host.execIn("internet", route).status, 0);
      try {
        const ports = exposurePorts(GATEWAY_PORT);
        const r = check("internet", { publicAddresses, ports });
        assert.strictEqual(r.status, 0, r.output);
        assert.match(
          r.stdout,
          new RegExp(`public IPv6 ${NET.publicHost6}: SKIPPED, this machine has no IPv6 route`),
        );
        assert.match(r.stdout, new RegExp(`public IPv4 ${NET.publicHost}: ${ports.length} ports `));
      } finally {
        route[3] = "del";
        assert.strictEqual(host.execIn("internet", route).status, 0);
      }
    });

    it("fails naming the address and port when a listener is opened on the public side on purpose", async function () {
      const host = ctx().host;
      // A listener on every address, IPv4 and IPv6, and ufw opened for it: what a
      // mistake on a server would look like. Removed again at the end.
      const pidFile = "/run/clawkit-exposure-test.pid";
      host.spawnIn("host", [
        "sh",
        "-c",
        `echo $$ >${pidFile} && exec python3 -m http.server 8080 --bind :: --directory /srv`,
      ]);
      try {
        for (let i = 0; i < 50 && !listenerPorts().includes(8080); i++)
          await new Promise((r) => setTimeout(r, 100));
        assert.ok(listenerPorts().includes(8080), "the test listener did not start");
        const opened = host.exec("ufw allow 8080/tcp comment 'exposure check test'");
        assert.strictEqual(opened.status, 0, opened.stderr);
        const r = check("internet", {
          publicAddresses,
          ports: exposurePorts(GATEWAY_PORT, listenerPorts()),
        });
        assert.strictEqual(r.status, 1, r.output);
        assert.strictEqual(
          r.stderr,
          `clawkit exposure check: FOUND ${NET.publicHost}:8080 accepts TCP connections from this machine\n` +
            `clawkit exposure check: FOUND [${NET.publicHost6}]:8080 accepts TCP connections from this machine\n`,
        );
      } finally {
        host.exec("ufw delete allow 8080/tcp");
        host.exec(`kill "$(cat ${pidFile})"; rm -f ${pidFile}`);
      }
      for (let i = 0; i < 50 && listenerPorts().includes(8080); i++)
        await new Promise((r) => setTimeout(r, 100));
      const after = check("internet", {
        publicAddresses,
        ports: exposurePorts(GATEWAY_PORT, [8080]),
      });
      assert.strictEqual(after.status, 0, `closed again, the check passes: ${after.output}`);
    });

    it("lockdown: the tailnet half fails while the gateway accepts the token, passes once it is stopped", function () {
      const host = ctx().host;
      const running = check("tailnet", { url: served, lockdown: true });
      assert.strictEqual(running.status, 1, running.output);
      assert.match(
        running.stderr,
        new RegExp(`FOUND ${served}/tools/invoke answered 200 to the token during lockdown`),
      );
      // What lockdown does to the gateway (clawkit-lockdown also removes serve: then
      // nothing answers at all, which passes the same way).
      host.exec(["systemctl", "stop", HOST.gatewayUnit]);
      try {
        const stopped = check("tailnet", { url: served, lockdown: true });
        assert.strictEqual(stopped.status, 0, stopped.output);
        const unlocked = check("tailnet", { url: served });
        assert.strictEqual(unlocked.status, 1, unlocked.output);
        assert.match(unlocked.stderr, /to the token \(expected 200\)/);
      } finally {
        host.exec(["systemctl", "start", HOST.gatewayUnit]);
        const back = host.execIn(
          "tailnet",
          ["python3", PROBE, "back-up", served, "180", "already-down"],
          {
            input: ctx().token,
            timeoutMs: 240_000,
          },
        );
        assert.match(back.stdout, /^up /, "the gateway did not come back with its token");
      }
    });
  });
}
