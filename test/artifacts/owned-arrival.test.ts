import * as assert from "assert";
import * as crypto from "crypto";
import * as net from "net";
import * as path from "path";
import { command, requirePrerequisites, ROOT, rootUser, run } from "../support/tools";

const PREFLIGHT = path.join(ROOT, "vps", "host", "scripts", "preflight.sh");

/** Runs a shell script in a network namespace of its own (never this machine's). */
function inOwnNetns(script: string, ...args: string[]) {
  return run("unshare", ["--net", "sh", "-c", script, "sh", ...args]);
}

/** A namespace like an owned machine: eth0 on a LAN, tailscale0 on the tailnet, both families. */
const MACHINE = [
  "ip link set lo up",
  ...["eth0", "tailscale0"].flatMap((name) => [
    `ip link add ${name} type veth peer name ${name}-peer`,
    `ip link set ${name} addrgenmode none`,
    `ip link set ${name} up`,
    `ip link set ${name}-peer up`,
  ]),
  "ip addr add 192.168.1.20/24 dev eth0",
  "ip addr add 2001:db8:1::10/64 dev eth0 nodad",
  "ip addr add 100.100.0.10/16 dev tailscale0",
  "ip addr add fd7a:115c:a1e0::a/64 dev tailscale0 nodad",
].join(" && ");

function arrival(client: string, server: string, lan: string[] = []) {
  return inOwnNetns(
    `${MACHINE} && sh "$@"`,
    PREFLIGHT,
    "--arrival-only",
    "--arrived",
    `${client} 50000 ${server} 22`,
    ...lan.flatMap((cidr) => ["--lan", cidr]),
  );
}

function randomV6(): string {
  const groups = Array.from({ length: 8 }, () => crypto.randomInt(0, 0x10000).toString(16));
  // Some zero runs, so the "::" forms are exercised.
  if (crypto.randomInt(0, 2) === 0)
    groups.fill("0", crypto.randomInt(0, 4), crypto.randomInt(4, 8));
  return new net.SocketAddress({ address: groups.join(":"), family: "ipv6" }).address;
}

function randomV4(): string {
  return Array.from({ length: 4 }, () => crypto.randomInt(0, 256)).join(".");
}

describe("artifacts: the owned machine's arrival check (preflight.sh) [H1]", function () {
  before(function () {
    requirePrerequisites(this, command("unshare"), command("ip"), command("awk"), rootUser());
  });

  it("admits the kit's connection over tailscale0, in both families, with no LAN range", function () {
    for (const [client, server] of [
      ["100.100.0.2", "100.100.0.10"],
      ["fd7a:115c:a1e0::2", "fd7a:115c:a1e0::a"],
    ]) {
      const r = arrival(client, server);
      assert.strictEqual(r.status, 0, `${client} -> ${server}: ${r.stderr}`);
    }
  });

  it("refuses any other way in, naming clawkit:sshFromLan: the LAN, and a tailnet address reached from the LAN", function () {
    for (const [client, server] of [
      ["192.168.1.30", "192.168.1.20"],
      ["2001:db8:1::30", "2001:db8:1::10"],
      // The weak host model: the tailnet address, but the way back is eth0.
      ["192.168.1.30", "100.100.0.10"],
      ["2001:db8:1::30", "fd7a:115c:a1e0::a"],
    ]) {
      const r = arrival(client, server);
      assert.strictEqual(r.status, 2, `${client} -> ${server} admitted`);
      assert.match(r.stderr, /clawkit:sshFromLan/);
    }
    const empty = inOwnNetns(`sh "$@"`, PREFLIGHT, "--arrival-only", "--arrived", "");
    assert.strictEqual(empty.status, 2, "no SSH_CONNECTION admitted");
  });

  it("admits the LAN only from a range the operator named", function () {
    assert.strictEqual(arrival("192.168.1.30", "192.168.1.20", ["192.168.1.0/24"]).status, 0);
    assert.strictEqual(arrival("192.168.1.30", "192.168.1.20", ["192.168.2.0/24"]).status, 2);
    assert.strictEqual(arrival("2001:db8:1::30", "2001:db8:1::10", ["2001:db8:1::/64"]).status, 0);
    assert.strictEqual(arrival("2001:db8:1::30", "2001:db8:1::10", ["192.168.1.0/24"]).status, 2);
  });

  it("matches a range exactly as node's net.BlockList does, for random addresses of both families", function () {
    const cases: [string, string][] = [
      ["10.0.0.1", "10.0.0.0/8"],
      ["11.0.0.1", "10.0.0.0/8"],
      ["192.168.1.255", "192.168.1.0/24"],
      ["192.168.2.0", "192.168.1.0/24"],
      ["::1", "::/127"],
      ["fe80::1%eth0", "fe80::/10"],
      ["FD00::1", "fc00::/7"],
      ["fe00::1", "fc00::/7"],
      ["1.2.3.4", "::/0"],
      ["::ffff:1.2.3.4", "1.2.3.0/24"],
      ["300.1.1.1", "0.0.0.0/0"],
    ];
    for (let i = 0; i < 150; i++) {
      const v6 = i % 2 === 1;
      const address = v6 ? randomV6() : randomV4();
      const near = crypto.randomInt(0, 2) === 0;
      const base = near ? address : v6 ? randomV6() : randomV4();
      cases.push([address, `${base}/${crypto.randomInt(v6 ? 96 : 8, v6 ? 129 : 33)}`]);
    }
    // One namespace, one shell: each case prints its verdict.
    const verdicts = run(
      "unshare",
      [
        "--net",
        "sh",
        "-c",
        `${MACHINE} && while read -r address cidr; do
         if sh "$1" --arrival-only --arrived "$address 1 192.168.1.20 22" --lan "$cidr" 2>/dev/null; then echo in; else echo out; fi
       done`,
        "sh",
        PREFLIGHT,
      ],
      { input: cases.map(([a, c]) => `${a} ${c}`).join("\n") + "\n" },
    );
    assert.strictEqual(verdicts.status, 0, verdicts.stderr);
    const got = verdicts.stdout.trim().split("\n");
    assert.strictEqual(got.length, cases.length);
    cases.forEach(([address, cidr], i) => {
      const bare = address.replace(/%.*/, "");
      const [base, prefix] = cidr.split("/");
      const family = (a: string) => (net.isIPv4(a) ? "ipv4" : net.isIPv6(a) ? "ipv6" : undefined);
      const list = new net.BlockList();
      let expected = "out";
      if (family(bare) && family(bare) === family(base)) {
        list.addSubnet(base, Number(prefix), family(base));
        // BlockList matches an IPv4-mapped IPv6 address against IPv4 ranges; sshd
        // reports IPv4 clients as IPv4, and the script judges the words it is given.
        expected = list.check(bare, family(bare)) ? "in" : "out";
      }
      assert.strictEqual(got[i], expected, `${address} in ${cidr}`);
    });
  });
});
