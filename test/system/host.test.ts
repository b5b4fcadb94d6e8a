import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { HOST } from "../../cloud-init/paths";
import { requirePrerequisites } from "../support/tools";
import {
  ALLOWED_HOST,
  applySecrets,
  PROBE_IN_ROOT,
  bootClawkitHost,
  FORBIDDEN_HOST,
  GATEWAY_PORT,
  HOSTNAME,
  provision,
  seedRuntime,
  TAILNET_KEY,
  testSecrets,
} from "./clawkitHost";
import { NET, Peer, SystemHost, systemPrerequisites } from "./harness";

const PROBE = path.join(__dirname, "probe.py");
/** Figures for `npm run bench`, when it asks for them. */
const figures: Record<string, unknown> = {};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("system: a clawkit host in a throwaway Debian root, attacked from other namespaces", function () {
  this.timeout(900_000);
  let host: SystemHost;
  const first = testSecrets(1);

  /** probe.py inside the host (as root, or as a user of it) or in a peer namespace. */
  const probe = (
    where: Peer | "host",
    args: string[],
    opts: { user?: string; input?: string } = {},
  ) => {
    return where === "host"
      ? host.exec(["python3", PROBE_IN_ROOT, ...args], opts)
      : host.execIn(where, ["python3", PROBE, ...args], { input: opts.input });
  };
  /** HTTP status of POST /tools/invoke with a token (or none) from a place. */
  const invoke = (where: Peer | "host", url: string, token?: string): string => {
    const headers = token === undefined ? [] : ["Authorization: Bearer -"];
    return probe(where, ["http", "POST", `${url}/tools/invoke`, ...headers], {
      input: token ?? "",
    }).stdout.trim();
  };
  const served = `http://${NET.tailnetHost}:443`;
  const loopback = `http://127.0.0.1:${GATEWAY_PORT}`;

  before(async function () {
    requirePrerequisites(this, ...systemPrerequisites());
    // The throwaway root sees this machine's files: leftovers would leak into it.
    for (const leftover of [HOST.stateDir, HOST.etcDir, "/opt/clawkit"]) {
      assert.ok(
        !fs.existsSync(leftover),
        `${leftover} exists on this machine and would show through the throwaway root`,
      );
    }
    console.log(
      "      note: tailscale is a recording stand-in, tailscale0 a veth to the tailnet peer, `tailscale serve` an HTTP proxy on tailscale0:443;\n" +
        "            the user-data's apt/packages keys are left out (packages come as .debs); everything else is the kit's own",
    );
    host = await bootClawkitHost();
    figures.bootSeconds = host.bootMs / 1000;
    // cloud-init runs at boot; its last stage may still be going.
    for (let i = 0; i < 120 && host.exec("test -e /run/cloud-init/result.json").status !== 0; i++)
      await sleep(1000);
    seedRuntime(host);
    for (const address of [NET.upstreamAllowed, NET.upstreamForbidden]) {
      host.spawnIn("upstream", ["python3", "-m", "http.server", "443", "--bind", address]);
    }
    await sleep(1000);
  });
  after(async function () {
    if (process.env.CLAWKIT_SYSTEM_FIGURES)
      fs.writeFileSync(process.env.CLAWKIT_SYSTEM_FIGURES, JSON.stringify(figures, null, 2));
    await host?.stop();
  });

  describe("first boot (cloud-init)", function () {
    it("ran the kit's user-data without errors", function () {
      const result = JSON.parse(host.readFile("/run/cloud-init/result.json"));
      assert.deepStrictEqual(
        result.v1.errors,
        [],
        host.exec("tail -n 30 /var/log/cloud-init-output.log").stdout,
      );
      assert.strictEqual(host.exec("hostname").stdout.trim(), HOSTNAME);
    });

    it("made the agent user without a shell or sudo, and the admin key-only", function () {
      assert.match(
        host.exec("getent passwd openclaw").stdout,
        /:\/var\/lib\/openclaw:\/usr\/sbin\/nologin$/m,
      );
      assert.notStrictEqual(
        host.exec(["sudo", "-l", "-U", "openclaw"]).stdout.includes("ALL"),
        true,
      );
      assert.match(host.exec("passwd -S clawadmin").stdout, /^clawadmin L /);
    });

    it("joined the tailnet with the key from a root-only file, never argv", function () {
      const calls = host.readFile("/var/lib/tailscale-shim/calls.log");
      assert.match(
        calls,
        /^up --auth-key=file:\/run\/clawkit\/tailscale-authkey --hostname=openclaw-systest/m,
      );
      assert.match(calls, /^key-file \/run\/clawkit\/tailscale-authkey mode=600 owner=root$/m);
      assert.ok(!calls.includes(TAILNET_KEY));
    });

    it("shredded every copy of the user-data and disabled cloud-init", function () {
      const found = host.exec([
        "grep",
        "-rlsF",
        TAILNET_KEY,
        "/var/lib/cloud",
        "/run",
        "/var/log",
        "/etc",
        "/root",
        "/home",
        "/tmp",
      ]);
      assert.strictEqual(found.stdout.trim(), "", `the one-off key is still in: ${found.stdout}`);
      assert.strictEqual(host.exec("test -e /etc/cloud/cloud-init.disabled").status, 0);
    });
  });

  describe("provisioning and secrets (the remote commands, as the admin, through sudo)", function () {
    it("provisions", function () {
      const r = provision(host);
      figures.provisionSeconds = r.seconds;
      console.log(
        `      provisioning: ${r.seconds.toFixed(1)} s (packages and runtime already in place)`,
      );
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /clawkit: provisioned/);
    });

    it("fills the gateway's compile cache as root, read-only to the agent", function () {
      const cache = HOST.compileCacheDir;
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", cache]).stdout.trim(),
        "root:root 755",
      );
      const entries = Number(
        host.exec(["sh", "-c", `find "$1" -type f | wc -l`, "sh", cache]).stdout,
      );
      assert.ok(entries > 50, `only ${entries} cache entries`);
      const loose = host.exec([
        "find",
        cache,
        "(",
        "!",
        "-user",
        "root",
        "-o",
        "-perm",
        "/022",
        ")",
      ]);
      assert.strictEqual(loose.stdout.trim(), "", "a cache entry the agent could rewrite");
      const write = host.exec(["runuser", "-u", "openclaw", "--", "touch", `${cache}/planted`]);
      assert.notStrictEqual(write.status, 0);
      // The scratch run left nothing behind.
      assert.strictEqual(
        host.exec(["sh", "-c", "ls -d /var/cache/clawkit/fill.* 2>/dev/null"]).stdout,
        "",
      );
    });

    it("installs the first secrets and starts a healthy gateway", function () {
      const r = applySecrets(host, first.env);
      figures.firstStartSeconds = r.seconds;
      console.log(`      gateway start to healthy with the token: ${r.seconds.toFixed(1)} s`);
      assert.strictEqual(r.status, 0, r.stderr + host.journal("openclaw-gateway", 40));
    });
  });

  describe("exposure", function () {
    // The tailnet scan comes first: it is also the proof that the scanner sees open
    // ports, without which "0 open from the internet" would prove nothing.
    it("from the tailnet: sshd and the served gateway, never the gateway's own port", function () {
      const open = JSON.parse(probe("tailnet", ["scan", NET.tailnetHost, "1", "65535"]).stdout);
      assert.deepStrictEqual(open, [22, 443]);
    });

    it("0 open TCP ports of 65535 on the public address, from the internet peer", function () {
      const open = JSON.parse(probe("internet", ["scan", NET.publicHost, "1", "65535"]).stdout);
      figures.openPortsFromInternet = open.length;
      assert.deepStrictEqual(open, []);
    });

    it("no answer on the usual UDP ports from the internet peer", function () {
      const answered = JSON.parse(
        probe("internet", [
          "udp",
          NET.publicHost,
          "53",
          "123",
          "161",
          "500",
          "3478",
          "5353",
          "41641",
        ]).stdout,
      );
      assert.deepStrictEqual(answered, []);
    });

    it("the gateway listens on loopback only", function () {
      const listeners = host
        .exec("ss -Hltn")
        .stdout.split("\n")
        .filter((l) => l.includes(`:${GATEWAY_PORT} `));
      const addresses = listeners.map((l) => l.trim().split(/\s+/)[3]).sort();
      assert.deepStrictEqual(addresses, [`127.0.0.1:${GATEWAY_PORT}`, `[::1]:${GATEWAY_PORT}`]);
    });
  });

  describe("gateway auth through the served path (tailnet peer)", function () {
    it("refuses no token and a wrong token, accepts the right one", function () {
      assert.strictEqual(invoke("tailnet", served), "401");
      assert.strictEqual(invoke("tailnet", served, "w".repeat(64)), "401");
      assert.strictEqual(invoke("tailnet", served, first.token), "200");
    });
  });

  describe("egress of the agent user", function () {
    const attempts: boolean[] = [];
    const agent = (args: string[]) => probe("host", args, { user: "openclaw" });
    after(() => {
      figures.egressBlocked = `${attempts.filter(Boolean).length}/${attempts.length}`;
    });

    it("cannot reach an upstream directly, allowed or not", function () {
      for (const address of [NET.upstreamAllowed, NET.upstreamForbidden]) {
        const r = agent(["tcp", address, "443"]);
        attempts.push(r.status !== 0);
        assert.notStrictEqual(r.status, 0, r.stdout);
      }
    });

    it("reaches the allowlisted name through the proxy", function () {
      const r = agent(["proxy", "3128", ALLOWED_HOST, "443"]);
      assert.strictEqual(r.stdout.trim(), "connect=200 upstream=200");
    });

    it("is refused by the proxy for a name not on the list, and for a bare address", function () {
      for (const target of [FORBIDDEN_HOST, NET.upstreamAllowed]) {
        const r = agent(["proxy", "3128", target, "443"]);
        attempts.push(r.status !== 0);
        assert.strictEqual(r.stdout.trim(), "connect=403", target);
      }
    });

    it("cannot reach the metadata service or an outside resolver", function () {
      const metadata = agent(["tcp", "169.254.169.254", "80"]);
      attempts.push(metadata.status !== 0);
      assert.notStrictEqual(metadata.status, 0);
      const dns = agent(["udp", NET.upstreamAllowed, "53"]);
      const sent = host.exec([
        "runuser",
        "-u",
        "openclaw",
        "--",
        "python3",
        "-c",
        "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('" +
          NET.upstreamAllowed +
          "', 53))",
      ]);
      attempts.push(sent.status !== 0);
      assert.notStrictEqual(sent.status, 0, "the agent could send a DNS datagram outside");
      assert.deepStrictEqual(JSON.parse(dns.stdout), []);
    });

    it("root still reaches what updates need", function () {
      assert.strictEqual(probe("host", ["tcp", NET.upstreamAllowed, "443"]).status, 0);
    });
  });

  describe("secrets on the host", function () {
    it("the secrets file is root-only and unreadable to the agent", function () {
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", HOST.secretsFile]).stdout.trim(),
        "root:root 600",
      );
      assert.notStrictEqual(
        host.exec(["runuser", "-u", "openclaw", "--", "cat", HOST.secretsFile]).status,
        0,
      );
    });

    it("no secret in any command line, the journal, the openclaw config or the agent's state", function () {
      const anthropic = /ANTHROPIC_API_KEY=(\S+)/.exec(first.env)![1];
      for (const secret of [first.token, anthropic]) {
        // The secret goes to the probe on stdin: a needle in argv would find itself.
        const inArgv = probe("host", ["find", "argv"], { input: secret }).stdout.trim();
        assert.strictEqual(inArgv, "0", "a secret is in a command line");
        const inJournal = probe("host", ["find", "journal"], { input: secret }).stdout.trim();
        assert.strictEqual(inJournal, "0", "a secret is in the journal");
        const files = host.exec([
          "grep",
          "-rlsF",
          secret,
          HOST.etcDir,
          HOST.stateDir,
          "/var/log",
          "/tmp",
        ]);
        const leaked = files.stdout.split("\n").filter((f) => f && f !== HOST.secretsFile);
        assert.deepStrictEqual(leaked, [], "a secret is in a file other than the secrets file");
      }
    });
  });

  describe("idempotency", function () {
    it("a second provisioning run changes no file and restarts nothing", function () {
      const managed = [
        "/etc/clawkit/openclaw.json",
        "/etc/clawkit/clawkit.env",
        "/etc/clawkit/exec-approvals.json",
        "/etc/systemd/system/openclaw-gateway.service",
        "/etc/squid/squid.conf",
        "/etc/ufw/before.rules",
        "/etc/ufw/before6.rules",
        "/etc/ufw/user.rules",
        "/etc/ssh/sshd_config.d/10-clawkit.conf",
        "/etc/fstab",
        `${HOST.compileCacheDir}/.runtime`,
      ];
      const state = () => ({
        hashes: host.exec(["sha256sum", ...managed]).stdout,
        gateway: host.exec("systemctl show -p MainPID -p NRestarts openclaw-gateway").stdout,
        squid: host.exec("systemctl show -p MainPID squid").stdout,
      });
      const before = state();
      const r = provision(host);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /clawkit: provisioned\n?$/);
      assert.doesNotMatch(r.stderr, /updated|changed:/);
      assert.deepStrictEqual(state(), before);
    });
  });

  describe("faults", function () {
    it("a gateway killed with SIGKILL is back and healthy within 15 s", function () {
      const mainPid = () =>
        host.exec("systemctl show -p MainPID --value openclaw-gateway").stdout.trim();
      const before = mainPid();
      host.exec("systemctl kill -s KILL openclaw-gateway");
      const start = Date.now();
      // One poller inside the host, so measuring does not slow down what it measures.
      const up = probe("host", ["back-up", `${loopback}/healthz`, "60"]).stdout.trim();
      const seconds = (Date.now() - start) / 1000;
      figures.restartAfterKillSeconds = seconds;
      console.log(`      back and healthy after SIGKILL: ${seconds.toFixed(1)} s`);
      assert.strictEqual(up, "up", host.journal("openclaw-gateway", 40));
      assert.notStrictEqual(mainPid(), before, "the same process answered: it was never killed");
      assert.ok(seconds <= 15, `back after ${seconds.toFixed(1)} s, target 15 s`);
    });

    it("a broken rotation is rolled back: the command fails, the old token still works", async function () {
      // Well-formed, so it is installed; it points the gateway at a missing config, so it cannot start.
      const broken = `${testSecrets(2).env}OPENCLAW_CONFIG_PATH=/nonexistent/openclaw.json\n`;
      const r = applySecrets(host, broken);
      assert.notStrictEqual(r.status, 0);
      assert.match(r.stderr, /rolled back/);
      for (let i = 0; i < 60 && invoke("host", loopback, first.token) !== "200"; i++)
        await sleep(1000);
      assert.strictEqual(invoke("host", loopback, first.token), "200");
      assert.strictEqual(invoke("host", loopback, testSecrets(2).token), "401");
    });

    it("a malformed secrets file is refused before anything changes", function () {
      const r = applySecrets(host, "OPENCLAW_GATEWAY_TOKEN=short\n");
      assert.notStrictEqual(r.status, 0);
      assert.match(r.stderr, /nothing changed/);
      assert.strictEqual(invoke("host", loopback, first.token), "200");
    });

    it("a good rotation makes the old token fail and the new one work", function () {
      const next = testSecrets(3);
      const r = applySecrets(host, next.env);
      figures.rotationSeconds = r.seconds;
      console.log(`      rotation (new token accepted): ${r.seconds.toFixed(1)} s`);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(invoke("host", loopback, first.token), "401");
      assert.strictEqual(invoke("host", loopback, next.token), "200");
      assert.strictEqual(invoke("tailnet", served, next.token), "200");
    });

    it("repeated wrong tokens through the served path are rate-limited", function () {
      const codes: string[] = [];
      for (let i = 0; i < 12; i++)
        codes.push(invoke("tailnet", served, `wrong-${i}`.padEnd(64, "x")));
      assert.ok(codes.includes("429"), codes.join(","));
    });
  });

  describe("openclaw's own audit on the running host", function () {
    it("0 critical", function () {
      const r = host.exec(
        [
          "systemd-run",
          "--quiet",
          "--pipe",
          "--wait",
          "-p",
          "User=openclaw",
          "-p",
          "Group=openclaw",
          "-p",
          `EnvironmentFile=${HOST.secretsFile}`,
          "-p",
          `Environment=HOME=${HOST.stateDir} OPENCLAW_STATE_DIR=${HOST.stateDir}/state OPENCLAW_CONFIG_PATH=${HOST.openclawConfig} OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1`,
          HOST.nodeBinary,
          `${HOST.runtimeDir}/node_modules/openclaw/openclaw.mjs`,
          "security",
          "audit",
          "--json",
        ],
        { timeoutMs: 180_000 },
      );
      const audit = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
      figures.audit = audit.summary;
      console.log(`      audit on the host: ${JSON.stringify(audit.summary)}`);
      assert.deepStrictEqual(
        audit.findings.filter((f: { severity: string }) => f.severity === "critical"),
        [],
      );
    });
  });
});
