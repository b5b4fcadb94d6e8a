import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CREDENTIAL_UPSTREAMS } from "../../vps/host/credential-gateway";
import { HOST } from "../../vps/host/paths";
import { NODE24, requirePrerequisites, ROOT, tempDir } from "../support/tools";
import { renderBundle } from "../../vps/host/bundle";
import { lockdownCommand } from "../../vps/hostLockdown";
import {
  ADMIN,
  ALLOWED_HOST,
  applySecrets,
  CHECKOUT_IN_ROOT,
  PROBE_IN_ROOT,
  bootClawkitHost,
  FORBIDDEN_HOST,
  GATEWAY_PORT,
  hostSettings,
  BACKUP,
  HOSTNAME,
  INWARD_DOMAIN,
  provision,
  seedRuntime,
  FAKE_PROVIDER,
  providerRequests,
  startFakeProvider,
  startResolver,
  TAILNET_KEY,
  testSecrets,
} from "./clawkitHost";
import { NET, Peer, sleep, SystemHost, systemPrerequisites } from "./harness";
import { describeExposureCheck } from "./exposure-check.test";
import { bpfFirewallEnforced, onlyLoopbackFromUnit } from "./ipFirewall";
import { describeAlerts } from "./alerts";
import { describeProxyInward, probeFrom, ProbeOptions } from "./attacks";
import {
  BackedUp,
  describeBackups,
  describeRestore,
  makeBucketStore,
  startFakeBucket,
} from "./backups";

/** Figures for `npm run bench`, when it asks for them. */
const figures: Record<string, unknown> = {};
/** How often the timed faults run: several times for the bench's medians, once in the suite. */
const REPEATS = process.env.CLAWKIT_SYSTEM_FIGURES ? 5 : 1;
/** Each address family of the host: its tailnet and public addresses. */
const FAMILIES = [
  { family: "IPv4", tailnet: NET.tailnetHost, internet: NET.publicHost },
  { family: "IPv6", tailnet: NET.tailnetHost6, internet: NET.publicHost6 },
] as const;
/** An address as it goes into a URL or a CONNECT line. */
const hostPart = (address: string) => (address.includes(":") ? `[${address}]` : address);

describe("system: a clawkit host in a throwaway Debian root, attacked from other namespaces", function () {
  this.timeout(900_000);
  let host: SystemHost;
  const first = testSecrets(1);

  /** probe.py inside the host (as root, or as a user of it) or in a peer namespace. */
  const probe = (where: Peer | "host", args: string[], opts: ProbeOptions = {}) =>
    probeFrom(host, where, args, opts);
  /** HTTP status of POST /tools/invoke with a token (or none) from a place. */
  const invoke = (where: Peer | "host", url: string, token?: string): string => {
    const headers = token === undefined ? [] : ["Authorization: Bearer -"];
    return probe(where, ["http", "POST", `${url}/tools/invoke`, ...headers], {
      input: token ?? "",
    }).stdout.trim();
  };
  /** A unit's main process on the host, as systemd sees it. */
  const mainPid = (unit: string) =>
    host.exec(["systemctl", "show", "-p", "MainPID", "--value", unit]).stdout.trim();
  const served = `http://${NET.tailnetHost}:443`;
  const servedFrom = (address: string) => `http://${hostPart(address)}:443`;
  const loopback = `http://127.0.0.1:${GATEWAY_PORT}`;
  /** The token the gateway holds now: rotations move it on. */
  let currentToken = first.token;
  /** The secrets last applied whole (token and credentials), to apply again unchanged. */
  let currentSecrets = first.env;
  /** The fake model provider's request log. */
  let provider: { log: string; remove: () => void };
  /** The backup bucket's objects, kept on this machine for the second host's restore. */
  const store = makeBucketStore();
  let bucket: { log: string; remove: () => void } | undefined;
  const backedUp: BackedUp = {};

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
    await startResolver(host);
    for (const address of [NET.upstreamAllowed, NET.upstreamAllowed6]) {
      host.spawnIn("upstream", ["python3", "-m", "http.server", "443", "--bind", address]);
    }
    // The model provider, behind the credential gateway's upstream names (forbidden to the agent).
    provider = await startFakeProvider(host);
    bucket = await startFakeBucket(host, store);
    await sleep(1000);
  });
  after(async function () {
    if (process.env.CLAWKIT_SYSTEM_FIGURES)
      fs.writeFileSync(process.env.CLAWKIT_SYSTEM_FIGURES, JSON.stringify(figures, null, 2));
    await host?.stop();
    provider?.remove();
    bucket?.remove();
    store.remove();
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

    it("made the agent user without a shell or sudo, and the admin key-only [A9, R8]", function () {
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

    it("joined the tailnet with the key from a root-only file, never argv [R9]", function () {
      const calls = host.readFile("/var/lib/tailscale-shim/calls.log");
      assert.match(
        calls,
        /^up --auth-key=file:\/run\/clawkit\/tailscale-authkey --hostname=openclaw-systest/m,
      );
      assert.match(calls, /^key-file \/run\/clawkit\/tailscale-authkey mode=600 owner=root$/m);
      assert.ok(!calls.includes(TAILNET_KEY));
    });

    it("shredded every copy of the user-data and disabled cloud-init [R9]", function () {
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
    it("provisions [A7]", function () {
      const r = provision(host);
      figures.provisionSeconds = r.seconds;
      console.log(
        `      provisioning: ${r.seconds.toFixed(1)} s (packages and runtime already in place)`,
      );
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /clawkit: provisioned/);
    });

    it("fills the gateway's compile cache as root, read-only to the agent [A8]", function () {
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

  describe("exposure [R1]", function () {
    for (const { family, tailnet, internet } of FAMILIES) {
      // The tailnet scan comes first: it is also the proof that the scanner sees open
      // ports, without which "0 open from the internet" would prove nothing.
      it(`from the tailnet (${family}): sshd and the served gateway, never the gateway's own port`, function () {
        const open = JSON.parse(probe("tailnet", ["scan", tailnet, "1", "65535"]).stdout);
        assert.deepStrictEqual(open, [22, 443]);
      });

      it(`0 open TCP ports of 65535 on the public ${family} address, from the internet peer`, function () {
        const open = JSON.parse(probe("internet", ["scan", internet, "1", "65535"]).stdout);
        figures[`openPortsFromInternet${family}`] = open.length;
        assert.deepStrictEqual(open, []);
      });

      it(`no answer on the usual UDP ports from the internet peer (${family})`, function () {
        const answered = JSON.parse(
          probe("internet", ["udp", internet, "53", "123", "161", "500", "3478", "5353", "41641"])
            .stdout,
        );
        assert.deepStrictEqual(answered, []);
      });
    }

    it("every listening socket is on loopback, but sshd, the served gateway and squid's DNS client", function () {
      const sockets = (flags: string) =>
        host
          .exec(`ss -H${flags}np`)
          .stdout.split("\n")
          .filter((l) => l.trim())
          .map((l) => {
            const local = l.trim().split(/\s+/)[3];
            const port = local.slice(local.lastIndexOf(":") + 1);
            const address = local.slice(0, local.lastIndexOf(":")).replace(/^\[|\]$/g, "");
            return { address, port, process: /users:\(\("([^"]+)"/.exec(l)?.[1] ?? "?" };
          })
          .filter((s) => !["127.0.0.1", "::1"].includes(s.address));
      // sshd listens everywhere and ufw keeps it to tailscale0; the served gateway is on
      // the tailnet addresses only.
      const tcp = sockets("lt").filter(
        (s) =>
          !(s.port === "22" && s.process === "sshd") &&
          !(s.port === "443" && [NET.tailnetHost, NET.tailnetHost6].includes(s.address)),
      );
      assert.deepStrictEqual(tcp, []);
      // squid's resolver sockets are bound to a wildcard address and an ephemeral port;
      // ufw drops anything that was not an answer (the UDP probes above).
      const udp = sockets("lu").filter((s) => s.process !== "squid");
      assert.deepStrictEqual(udp, []);
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

  describeExposureCheck(() => ({ host, token: currentToken, figures }));

  describe("gateway auth through the served path (tailnet peer) [R3, R7]", function () {
    for (const { family, tailnet } of FAMILIES) {
      it(`refuses no token and a wrong token, accepts the right one (${family})`, function () {
        assert.strictEqual(invoke("tailnet", servedFrom(tailnet)), "401");
        assert.strictEqual(invoke("tailnet", servedFrom(tailnet), "w".repeat(64)), "401");
        assert.strictEqual(invoke("tailnet", servedFrom(tailnet), first.token), "200");
      });
    }
  });

  describe("the gateway's methods through the real WebSocket protocol [R5]", function () {
    /** What test/support/gateway-ws.mjs prints. */
    interface WsCall {
      method: string;
      ok: boolean;
      error?: { code?: string; message?: string; detailsCode?: string; requestId?: string };
    }
    interface WsResult extends Partial<WsCall> {
      connected: boolean;
      scopes?: string[];
      calls?: WsCall[];
    }
    /** The client from the host (as root or a user of it) or the tailnet peer; the token on stdin. */
    const ws = (where: "host" | "tailnet", args: string[], token = currentToken, user?: string) => {
      const r =
        where === "host"
          ? host.exec(
              [HOST.nodeBinary, `${CHECKOUT_IN_ROOT}/test/support/gateway-ws.mjs`, ...args],
              { input: token, user },
            )
          : host.execIn(
              "tailnet",
              [NODE24, path.join(ROOT, "test/support/gateway-ws.mjs"), ...args],
              {
                input: token,
              },
            );
      return { status: r.status, result: (r.status === 0 ? JSON.parse(r.stdout) : {}) as WsResult };
    };
    const loopbackWs = `ws://127.0.0.1:${GATEWAY_PORT}`;
    const refusedWith = (call: WsCall | undefined, message: RegExp) => {
      assert.strictEqual(call?.ok, false, `${call?.method} ran`);
      assert.match(`${call?.error?.code} ${call?.error?.message}`, message, JSON.stringify(call));
    };

    it("from loopback with the token (root): no terminal, no CLI-agent terminal, no installs, no config writes", function () {
      const { status, result } = ws("host", [
        loopbackWs,
        "health",
        "{}",
        "terminal.open",
        '{"cols":80,"rows":24}',
        "sessions.catalog.startTerminal",
        JSON.stringify({ catalogId: "claude", agentId: "main", cwd: HOST.stateDir }),
        "skills.install",
        '{"name":"healthcheck","installId":"brew"}',
        "config.get",
        "{}",
        "config.patch",
        JSON.stringify({ raw: '{"gateway":{"terminal":{"enabled":true}}}', baseHash: "$4.hash" }),
      ]);
      assert.strictEqual(status, 0);
      // The token on loopback is the operator: the refusals below are the config's, not scope's.
      assert.ok(result.scopes?.includes("operator.admin"), JSON.stringify(result.scopes));
      const [health, terminal, cliAgent, install, , patch] = result.calls ?? [];
      assert.strictEqual(health?.ok, true, "health");
      refusedWith(terminal, /terminal is disabled/);
      refusedWith(cliAgent, /cliAgents/);
      refusedWith(install, /install policy failed closed/);
      refusedWith(patch, /immutable/);
    });

    it("from loopback, a new node or device is not paired silently", function () {
      for (const ask of [
        ["--role", "node", "--client", "node-host/node", "--device", "--commands", "system.run"],
        ["--device"],
      ]) {
        const { result } = ws("host", [...ask, loopbackWs, "health"]);
        assert.strictEqual(result.connected, false, `paired silently: ${ask.join(" ")}`);
        assert.strictEqual(result.error?.detailsCode, "PAIRING_REQUIRED", JSON.stringify(result));
      }
    });

    for (const { family, tailnet } of FAMILIES) {
      it(`from the tailnet through serve (${family}): the token alone grants no scope; no terminal, cron or approvals; devices wait for pairing [R6]`, function () {
        const url = `ws://${hostPart(tailnet)}:443`;
        const { status, result } = ws("tailnet", [
          url,
          "health",
          "{}",
          "terminal.open",
          '{"cols":80,"rows":24}',
          "cron.add",
          JSON.stringify({
            name: "x",
            schedule: { kind: "every", everyMs: 60000 },
            payload: { kind: "systemEvent", text: "x" },
          }),
          "exec.approvals.set",
          '{"file":{"version":1}}',
        ]);
        assert.strictEqual(status, 0);
        assert.strictEqual(result.connected, true, JSON.stringify(result));
        assert.deepStrictEqual(result.scopes, []);
        const [health, ...admin] = result.calls ?? [];
        assert.strictEqual(health?.ok, true, "health answers without scope");
        for (const call of admin) refusedWith(call, /FORBIDDEN|scope/i);
        const device = ws("tailnet", ["--device", url, "health"]).result;
        assert.strictEqual(device.connected, false, "a tailnet device was paired silently");
        assert.strictEqual(device.error?.detailsCode, "PAIRING_REQUIRED", JSON.stringify(device));
      });
    }

    it("a tailnet device waits until the operator approves it on the host; approved, it still gets no terminal [R6]", function () {
      const keys = tempDir("device-key");
      try {
        const key = path.join(keys.dir, "device.pem");
        const url = `ws://${hostPart(NET.tailnetHost6)}:443`;
        const asked = ws("tailnet", ["--device-key", key, url, "health"]).result;
        assert.strictEqual(asked.error?.detailsCode, "PAIRING_REQUIRED", JSON.stringify(asked));
        const requestId = asked.error?.requestId ?? "";
        assert.match(requestId, /\S/);
        // The README's way: the admin, over SSH, through sudo; the token never in argv.
        const approve = host.exec([
          "runuser",
          "-u",
          "clawadmin",
          "--",
          "sudo",
          "clawkit-openclaw",
          "devices",
          "approve",
          requestId,
          "--json",
        ]);
        assert.strictEqual(approve.status, 0, approve.stdout + approve.stderr);
        const paired = ws("tailnet", [
          "--device-key",
          key,
          url,
          "terminal.open",
          '{"cols":80,"rows":24}',
        ]).result;
        assert.strictEqual(paired.connected, true, JSON.stringify(paired));
        assert.ok(paired.scopes?.includes("operator.admin"), JSON.stringify(paired.scopes));
        refusedWith(paired as WsCall, /terminal is disabled/);
      } finally {
        keys.remove();
      }
    });

    it("the agent user cannot reach the gateway at all: its programs inherit the token, and the token on loopback is admin [R6, S4]", function () {
      for (const url of [loopbackWs, `ws://[::1]:${GATEWAY_PORT}`]) {
        const r = ws("host", [url, "health"], currentToken, "openclaw");
        assert.strictEqual(r.status, 2, `the agent user reached ${url}`);
      }
      for (const address of ["127.0.0.1", "::1"]) {
        const r = probe("host", ["tcp", address, String(GATEWAY_PORT)], { user: "openclaw" });
        assert.notStrictEqual(r.status, 0, `the agent user connected to ${address}`);
      }
    });

    it("the served Control UI page offers no terminal", function () {
      const page = host.execIn("tailnet", ["curl", "-s", `${served}/`]).stdout;
      assert.match(page, /data-openclaw-terminal-enabled="false"/);
    });
  });

  describe("egress of the agent user [A2]", function () {
    const attempts: boolean[] = [];
    const agent = (args: string[]) => probe("host", args, { user: "openclaw" });
    after(() => {
      figures.egressBlocked = `${attempts.filter(Boolean).length}/${attempts.length}`;
    });

    it("cannot reach an upstream directly, allowed or not, over IPv4 or IPv6", function () {
      for (const address of [
        NET.upstreamAllowed,
        NET.upstreamForbidden,
        NET.upstreamAllowed6,
        NET.upstreamForbidden6,
      ]) {
        const r = agent(["tcp", address, "443"]);
        attempts.push(r.status !== 0);
        assert.notStrictEqual(r.status, 0, `${address}: ${r.stdout}`);
      }
    });

    it("reaches the allowlisted name through the proxy, over IPv4 and IPv6", function () {
      // allowed.* has A and AAAA; outward6.* only AAAA, so it must go out over IPv6.
      for (const name of [ALLOWED_HOST, `outward6.${INWARD_DOMAIN}`]) {
        const r = agent(["proxy", "3128", name, "443"]);
        assert.strictEqual(r.stdout.trim(), "connect=200 upstream=200", name);
      }
    });

    it("is refused by the proxy for a name not on the list, and for a bare address of either family [A4]", function () {
      for (const target of [FORBIDDEN_HOST, NET.upstreamAllowed, hostPart(NET.upstreamAllowed6)]) {
        const r = agent(["proxy", "3128", target, "443"]);
        attempts.push(r.status !== 0);
        assert.strictEqual(r.stdout.trim(), "connect=403", target);
      }
    });

    it("cannot reach the metadata service or an outside resolver, over IPv4 or IPv6", function () {
      const metadata = agent(["tcp", "169.254.169.254", "80"]);
      attempts.push(metadata.status !== 0);
      assert.notStrictEqual(metadata.status, 0);
      for (const resolver of [NET.upstreamAllowed, NET.upstreamAllowed6]) {
        const dns = agent(["udp", resolver, "53"]);
        assert.deepStrictEqual(JSON.parse(dns.stdout), [], resolver);
        const sent = host.exec([
          "runuser",
          "-u",
          "openclaw",
          "--",
          "python3",
          "-c",
          "import socket, sys\n" +
            "f = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET\n" +
            "socket.socket(f, socket.SOCK_DGRAM).sendto(b'x', (sys.argv[1], 53))",
          resolver,
        ]);
        attempts.push(sent.status !== 0);
        assert.notStrictEqual(sent.status, 0, `the agent could send a DNS datagram to ${resolver}`);
      }
    });

    it("root still reaches what updates need, over IPv4 and IPv6", function () {
      for (const address of [NET.upstreamAllowed, NET.upstreamAllowed6])
        assert.strictEqual(probe("host", ["tcp", address, "443"]).status, 0, address);
    });
  });

  describeProxyInward(() => ({
    host,
    hostAddresses: ["127.0.0.1", "127.53.0.1", "::1", NET.publicHost, NET.publicHost6],
  }));

  describe("secrets on the host", function () {
    it("the secrets file is root-only and unreadable to the agent [S1]", function () {
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", HOST.secretsFile]).stdout.trim(),
        "root:root 600",
      );
      assert.notStrictEqual(
        host.exec(["runuser", "-u", "openclaw", "--", "cat", HOST.secretsFile]).status,
        0,
      );
    });

    it("no secret in any command line, the journal, the openclaw config or the agent's state [S2]", function () {
      for (const secret of [
        first.token,
        ...first.credentials,
        BACKUP.key,
        BACKUP.secretAccessKey,
      ]) {
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
        const leaked = files.stdout
          .split("\n")
          .filter(
            (f) =>
              f &&
              f !== HOST.secretsFile &&
              path.dirname(f) !== HOST.credentialsDir &&
              path.dirname(f) !== HOST.backupSecretsDir,
          );
        assert.deepStrictEqual(
          leaked,
          [],
          "a secret is in a file other than its own root-only file",
        );
      }
    });
  });

  describe("the credential gateway: the agent holds no credential", function () {
    const credgw = `http://127.0.0.1:${HOST.credentialGatewayPort}`;
    const agent = (args: string[], input?: string) =>
      probe("host", args, { user: HOST.agentUser, input });
    /** What reached the fake provider, but the Telegram channel's own long polls. */
    const agentCalls = () =>
      providerRequests(provider.log).filter((c) => !c.url.endsWith("/getUpdates"));
    /** The secrets only root and the credential gateway may hold, as they are now. */
    let credentials: string[] = [];
    before(function () {
      credentials = first.credentials;
    });
    after(() => {
      figures.credentialsReadableByAgent = `${readableHits}/${searched.length}`;
    });
    let readableHits = 0;
    let searched: string[] = [];

    it("the gateway's secrets file holds its token and nothing else; the credentials are root-only [S1, S4]", function () {
      const lines = host.exec(["cat", HOST.secretsFile]).stdout.trim().split("\n");
      assert.deepStrictEqual(
        lines.map((l) => l.split("=")[0]),
        ["OPENCLAW_GATEWAY_TOKEN"],
      );
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", HOST.credentialsDir]).stdout.trim(),
        "root:root 700",
      );
      const files = host.exec([
        "find",
        HOST.credentialsDir,
        "-type",
        "f",
        "-printf",
        "%f %u:%g %m\n",
      ]);
      assert.deepStrictEqual(files.stdout.trim().split("\n").sort(), [
        "anthropic.conf root:root 600",
        "generation.conf root:root 600",
        "openai.conf root:root 600",
        "telegram.conf root:root 600",
      ]);
      // Debian's own nginx, with its default site on port 80, never runs.
      assert.strictEqual(host.exec("systemctl is-enabled nginx.service").stdout.trim(), "masked");
      assert.strictEqual(
        host.exec([
          "systemctl",
          "show",
          "-p",
          "User",
          "-p",
          "ActiveState",
          HOST.credentialGatewayUnit,
        ]).stdout,
        "User=\nActiveState=active\n",
      );
      const workers = host
        .exec(["ps", "-C", "nginx", "-o", "user:32=,args="])
        .stdout.trim()
        .split("\n");
      assert.ok(
        workers.some((w) => new RegExp(`^${HOST.credentialGatewayUser}\\s+nginx: worker`).test(w)),
        workers.join("; "),
      );
    });

    it("a real agent turn: gateway -> credential gateway -> the provider over TLS, which sees the real key [S4]", function () {
      const before = agentCalls().length;
      const r = host.exec(
        [
          "clawkit-openclaw",
          "agent",
          "--agent",
          "main",
          "--message",
          "hello",
          "--json",
          "--timeout",
          "90",
        ],
        { timeoutMs: 150_000 },
      );
      assert.strictEqual(
        r.status,
        0,
        r.stdout + r.stderr + host.journal(HOST.credentialGatewayUnit, 20),
      );
      assert.match(r.stdout, /done/);
      const calls = agentCalls().slice(before);
      assert.ok(calls.length > 0, "the provider was never called");
      for (const c of calls) {
        assert.deepStrictEqual(
          [c.method, c.url, c.host],
          ["POST", "/v1/messages", "api.anthropic.com"],
        );
        assert.strictEqual(c.apiKey, first.anthropicKey);
        assert.strictEqual(c.authorization, undefined);
      }
    });

    it("as the agent user, and from inside the gateway's own unit: no credential in any file, environment or command line it can read [S4, S8]", function () {
      // The model keys and bot token, and the backup's key and token.
      searched = [...credentials, BACKUP.key, BACKUP.secretAccessKey];
      const needles = searched.join("\n") + "\n";
      // A walk of every file the agent can read: give it the time the unit's walk has.
      const scan = probe("host", ["secrets"], {
        user: HOST.agentUser,
        input: needles,
        timeoutMs: 300_000,
      });
      assert.strictEqual(scan.status, 0, scan.stderr);
      const asAgent = JSON.parse(scan.stdout) as {
        files: number;
        environs: number;
        hits: string[][];
      };
      assert.ok(asAgent.files > 10_000, `only ${asAgent.files} files searched`);
      // From inside the unit: its cgroup, its namespaces (read-only system, private /tmp, its own /proc), its user.
      const pid = mainPid(HOST.gatewayUnit);
      const cgroup = host
        .exec(["systemctl", "show", "-p", "ControlGroup", "--value", HOST.gatewayUnit])
        .stdout.trim();
      const inUnit = host.exec(
        [
          "sh",
          "-c",
          'echo $$ >"$(findmnt -n -t cgroup2 -o TARGET | head -n 1)$1/cgroup.procs" && exec nsenter -t "$2" -U -m -i -u --setuid "$3" --setgid "$4" python3 "$5" secrets',
          "sh",
          cgroup,
          pid,
          host.exec(["id", "-u", HOST.agentUser]).stdout.trim(),
          host.exec(["id", "-g", HOST.agentUser]).stdout.trim(),
          PROBE_IN_ROOT,
        ],
        { input: needles, timeoutMs: 300_000 },
      );
      assert.strictEqual(inUnit.status, 0, inUnit.stderr);
      const fromUnit = JSON.parse(inUnit.stdout) as {
        files: number;
        environs: number;
        hits: string[][];
      };
      assert.ok(fromUnit.environs >= 1, "the gateway's own environment was not searched");
      const hits = [...asAgent.hits.flat(), ...fromUnit.hits.flat()];
      readableHits = new Set(hits).size;
      assert.deepStrictEqual(hits, [], "the agent can read a credential");
      console.log(
        `      searched ${asAgent.files} files as the agent, ${fromUnit.files} from the unit (${fromUnit.environs} environments): 0 of ${searched.length} credentials`,
      );
    });

    it("Telegram through the credential gateway: the Bot API sees the real token in its path, openclaw only the placeholder [S4]", async function () {
      const telegram = first.credentials[2];
      let calls: ReturnType<typeof providerRequests> = [];
      for (let i = 0; i < 60 && !calls.some((c) => c.url.endsWith("/getUpdates")); i++) {
        calls = providerRequests(provider.log).filter((c) => c.host === "api.telegram.org");
        await sleep(500);
      }
      const methods = new Set(calls.map((c) => c.url.replace(/^\/bot[^/]+\//, "")));
      assert.ok(methods.has("getMe") && methods.has("getUpdates"), [...methods].join(" "));
      for (const c of calls) assert.ok(c.url.startsWith(`/bot${telegram}/`), c.url);
    });

    it("the agent cannot reach a model provider directly, nor through the egress proxy [A5]", function () {
      for (const address of FAKE_PROVIDER)
        assert.notStrictEqual(agent(["tcp", address, "443"]).status, 0, address);
      for (const name of Object.values(CREDENTIAL_UPSTREAMS).map((u) => u.host))
        assert.strictEqual(
          agent(["proxy", String(HOST.proxyPort), name, "443"]).stdout.trim(),
          "connect=403",
          name,
        );
    });

    it("a method or path not on the credential gateway's list is refused with 403 and never forwarded [S5]", function () {
      const before = agentCalls().length;
      for (const [method, p] of [
        ["GET", "/anthropic/v1/models"],
        ["GET", "/anthropic/v1/messages"],
        ["POST", "/anthropic/v1/messages/batches"],
        ["POST", "/anthropic/v1/files"],
        ["GET", "/openai/v1/responses"],
        ["POST", "/openai/v1/files"],
        ["POST", "/telegram/bot0:x/setWebhook"],
        ["POST", "/telegram/bot0:x/logOut"],
      ])
        assert.strictEqual(
          agent(["http", method, `${credgw}${p}`]).stdout.trim(),
          "403",
          `${method} ${p}`,
        );
      assert.strictEqual(agentCalls().length, before);
    });

    it("cannot be moved to another host by anything the agent sends: Host, an absolute URI, CONNECT [S5]", function () {
      const before = agentCalls().length;
      const body = '{"model":"m","max_tokens":1,"messages":[]}';
      const post = (target: string, hostHeader: string) =>
        `POST ${target} HTTP/1.1\nHost: ${hostHeader}\nContent-Type: application/json\nContent-Length: ${body.length}\nConnection: close\n\n${body}`;
      const sent = [
        agent(
          ["raw", "127.0.0.1", String(HOST.credentialGatewayPort)],
          post("/anthropic/v1/messages", ALLOWED_HOST),
        ),
        agent(
          ["raw", "127.0.0.1", String(HOST.credentialGatewayPort)],
          post(`http://${NET.upstreamAllowed}/anthropic/v1/messages`, NET.upstreamAllowed),
        ),
        agent(
          ["raw", "127.0.0.1", String(HOST.credentialGatewayPort)],
          `CONNECT ${NET.upstreamAllowed}:443 HTTP/1.1\nHost: ${NET.upstreamAllowed}:443\n\n`,
        ),
      ].map((r) => r.stdout.trim());
      assert.deepStrictEqual(sent.slice(0, 2), ["200", "200"]);
      assert.match(sent[2], /^4\d\d$/);
      const forwarded = agentCalls().slice(before);
      assert.strictEqual(forwarded.length, 2);
      for (const f of forwarded) assert.strictEqual(f.host, "api.anthropic.com");
    });

    it("its user reaches TCP 443 outside the host, IPv4 and IPv6, and nothing else [S5]", function () {
      const as = (args: string[]) => probe("host", args, { user: HOST.credentialGatewayUser });
      for (const address of FAKE_PROVIDER)
        assert.strictEqual(as(["tcp", address, "443"]).status, 0, address);
      for (const [address, port] of [
        [NET.upstreamAllowed, "80"],
        [NET.upstreamAllowed6, "80"],
        [NET.publicHost, "443"],
        [NET.publicHost6, "443"],
        [NET.tailnetPeer, "443"],
        ["127.0.0.1", String(HOST.proxyPort)],
        ["127.0.0.1", String(GATEWAY_PORT)],
        ["169.254.169.254", "443"],
      ])
        assert.notStrictEqual(as(["tcp", address, port]).status, 0, `${address}:${port}`);
      for (const resolver of [NET.dns, NET.dns6])
        assert.deepStrictEqual(JSON.parse(as(["udp", resolver, "53"]).stdout), [], resolver);
    });

    it("a model-key rotation reloads the credential gateway: the new key is in use, the gateway is not restarted, no request fails [S3]", async function () {
      const gatewayPid = () => mainPid(HOST.gatewayUnit);
      const seconds: number[] = [];
      let restarts = 0;
      for (let i = 0; i < REPEATS; i++) {
        const next = testSecrets(1, 20 + i);
        const pid = gatewayPid();
        // Requests from the agent side all through the rotation, each read to its end.
        const traffic = host.spawnIn("host", [
          "runuser",
          "-u",
          HOST.agentUser,
          "--",
          "python3",
          PROBE_IN_ROOT,
          "hammer",
          `${credgw}/anthropic/v1/messages`,
          "12",
        ]);
        let out = "";
        traffic.stdout!.on("data", (c: Buffer) => (out += c.toString()));
        const finished = new Promise<void>((resolve) => traffic.on("exit", () => resolve()));
        await sleep(2000);
        const start = Date.now();
        const r = applySecrets(host, next.env);
        assert.strictEqual(r.status, 0, r.stderr);
        // Until the provider sees the new key on a call made after the command returned.
        let inUse = false;
        for (let t = 0; t < 100 && !inUse; t++) {
          const from = agentCalls().length;
          probe("host", ["http", "POST", `${credgw}/anthropic/v1/messages`]);
          inUse = agentCalls()
            .slice(from)
            .some((q) => q.apiKey === next.anthropicKey);
        }
        seconds.push((Date.now() - start) / 1000);
        assert.ok(inUse, "the new key never reached the provider");
        await finished;
        const counts = JSON.parse(out) as Record<string, number>;
        assert.deepStrictEqual(
          Object.keys(counts),
          ["200"],
          `requests failed during the rotation: ${out}`,
        );
        assert.ok(counts["200"] > 5, out);
        if (gatewayPid() !== pid) restarts += 1;
        assert.strictEqual(gatewayPid(), pid, "the gateway was restarted for a model key");
        assert.match(r.stderr, /credentials applied/);
        assert.match(r.stderr, /gateway token unchanged/);
        credentials = next.credentials;
        console.log(
          `      model-key rotation, new key in use: ${seconds[i].toFixed(1)} s, ${counts["200"]} requests meanwhile, none failed`,
        );
      }
      figures.keyRotationSeconds = seconds;
      figures.gatewayRestartsDuringKeyRotation = restarts;
    });

    it("a credential update the credential gateway cannot take is rolled back: the command fails, the old key keeps working [S3]", function () {
      const current = credentials[0];
      const next = testSecrets(1, 90);
      // A reload that fails, as one would with its upstream's name unresolvable.
      const dropIn = `/run/systemd/system/${HOST.credentialGatewayUnit}.d`;
      host.exec([
        "sh",
        "-c",
        `mkdir -p ${dropIn} && printf '[Service]\nExecReload=\nExecReload=/bin/false\n' >${dropIn}/break.conf && systemctl daemon-reload`,
      ]);
      try {
        const r = applySecrets(host, next.env);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /rolled back/);
      } finally {
        host.exec(["sh", "-c", `rm -rf ${dropIn} && systemctl daemon-reload`]);
      }
      const from = agentCalls().length;
      assert.strictEqual(
        probe("host", ["http", "POST", `${credgw}/anthropic/v1/messages`]).stdout.trim(),
        "200",
      );
      const used = agentCalls()
        .slice(from)
        .map((q) => q.apiKey);
      assert.deepStrictEqual(used, [current]);
      assert.strictEqual(
        host.exec(["grep", "-c", current, `${HOST.credentialsDir}/anthropic.conf`]).stdout.trim(),
        "1",
      );
      // Refused before anything changes: a character nginx's quoting would interpret, a route this host lacks.
      for (const bad of [`CREDENTIAL_ANTHROPIC=sk"x;$y`, "CREDENTIAL_SLACK=xoxb-x"]) {
        const refused = applySecrets(host, `OPENCLAW_GATEWAY_TOKEN=${currentToken}\n${bad}\n`);
        assert.notStrictEqual(refused.status, 0, bad);
        assert.match(refused.stderr, /nothing changed/);
      }
    });
  });

  describe("the credential gateway after an nginx upgrade [W4]", function () {
    const hook = `${HOST.libDir}/scripts/credgw-after-upgrade.sh`;
    const credgwPid = () => mainPid(HOST.credentialGatewayUnit);

    it("apt runs the kit's hook after every dpkg run", function () {
      const dump = host.exec(["apt-config", "dump", "DPkg::Post-Invoke"]).stdout;
      assert.ok(dump.includes(hook), dump);
    });

    it("the hook restarts the credential gateway only when its nginx binary was replaced", async function () {
      const before = credgwPid();
      assert.strictEqual(host.exec([hook]).status, 0);
      assert.strictEqual(credgwPid(), before, "restarted with nothing upgraded");
      // What an upgrade does to the running binary: a new file in its place.
      const replaced = host.exec(
        "cp -a /usr/sbin/nginx /usr/sbin/nginx.new && mv /usr/sbin/nginx.new /usr/sbin/nginx",
      );
      assert.strictEqual(replaced.status, 0, replaced.stderr);
      assert.strictEqual(host.exec([hook]).status, 0);
      assert.notStrictEqual(credgwPid(), before, "still running the replaced binary");
      let health = "";
      for (let i = 0; i < 50 && !/^[0-9a-f]{16}$/.test(health); i++) {
        health = host
          .exec(["curl", "-s", `http://127.0.0.1:${HOST.credentialGatewayPort}/clawkit-health`])
          .stdout.trim();
        await sleep(100);
      }
      assert.match(
        health,
        /^[0-9a-f]{16}$/,
        "the restarted credential gateway lost its credentials",
      );
    });
  });

  describe("idempotency", function () {
    it("a second provisioning run changes no file and restarts nothing", function () {
      const managed = [
        "/etc/clawkit/openclaw.json",
        "/etc/clawkit/clawkit.env",
        "/etc/clawkit/exec-approvals.json",
        "/etc/systemd/system/openclaw-gateway.service",
        `/etc/systemd/system/${HOST.credentialGatewayUnit}`,
        HOST.credentialGatewayConfig,
        "/etc/squid/squid.conf",
        HOST.proxySelfAddresses,
        "/etc/systemd/system/squid.service.d/10-clawkit.conf",
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
        credgw: host.exec(`systemctl show -p MainPID ${HOST.credentialGatewayUnit}`).stdout,
      });
      const before = state();
      const r = provision(host);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /clawkit: provisioned\n?$/);
      assert.doesNotMatch(r.stderr, /updated|changed:/);
      assert.deepStrictEqual(state(), before);
    });
  });

  describe("a new file that fails its check never replaces the working one [W3]", function () {
    // Each file with a validator, broken the way a bad edit or a bad render would break it.
    const cases: {
      file: string;
      onHost: string;
      service: string;
      breakIt: (c: string) => string;
    }[] = [
      {
        file: "files/sshd-clawkit.conf",
        onHost: "/etc/ssh/sshd_config.d/10-clawkit.conf",
        service: "ssh",
        breakIt: (c) => c.replace(/^PermitRootLogin no$/m, "PermitRootLogin perhaps"),
      },
      {
        file: "files/squid.conf",
        onHost: "/etc/squid/squid.conf",
        service: "squid",
        breakIt: (c) =>
          c.replace("http_access deny all", "http_access deny clawkit_nonexistent_acl"),
      },
      {
        file: "files/openclaw-gateway.service",
        onHost: "/etc/systemd/system/openclaw-gateway.service",
        service: "openclaw-gateway",
        // systemd would only warn, and run the gateway with one sandbox line fewer.
        breakIt: (c) => c.replace("NoNewPrivileges=yes", "NoNewPrivileges=perhaps"),
      },
      {
        file: "files/openclaw.json",
        onHost: HOST.openclawConfig,
        service: "openclaw-gateway",
        // openclaw's schema is strict: the gateway would exit 78 at its next start.
        breakIt: (c) => JSON.stringify({ ...JSON.parse(c), gatewayy: { mode: "local" } }),
      },
      {
        file: "files/credential-gateway.conf",
        onHost: HOST.credentialGatewayConfig,
        service: HOST.credentialGatewayUnit,
        // nginx -t refuses it; a reload would have left the old workers on silently.
        breakIt: (c) => c.replace("proxy_ssl_verify on;", "proxy_ssl_verify perhaps;"),
      },
      {
        file: `files/${HOST.credentialGatewayUnit}`,
        onHost: `/etc/systemd/system/${HOST.credentialGatewayUnit}`,
        service: HOST.credentialGatewayUnit,
        breakIt: (c) => c.replace("NoNewPrivileges=yes", "NoNewPrivileges=perhaps"),
      },
      {
        file: "files/exec-approvals.json",
        onHost: "/etc/clawkit/exec-approvals.json",
        service: "openclaw-gateway",
        breakIt: (c) => c.slice(0, c.length / 2),
      },
    ];
    const snapshot = (c: (typeof cases)[number]) => ({
      file: host.exec(["sha256sum", c.onHost]).stdout,
      pid: mainPid(c.service),
    });

    for (const c of cases) {
      it(`${c.file}: the run fails naming ${c.onHost}; the old file and the running ${c.service} stay`, function () {
        const good = renderBundle(hostSettings());
        const original = good.find((f) => f.path === c.file)!.content;
        assert.notStrictEqual(c.breakIt(original), original, "the case breaks nothing");
        const files = good.map((f) =>
          f.path === c.file ? { ...f, content: c.breakIt(f.content) } : f,
        );
        const before = snapshot(c);
        const r = provision(host, files);
        assert.notStrictEqual(r.status, 0, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`${c.onHost.replace(/[./]/g, "\\$&")}: the new version fails its check`),
        );
        assert.deepStrictEqual(snapshot(c), before);
        const leftovers = host.exec(["sh", "-c", 'ls "$1".clawkit.* 2>/dev/null', "sh", c.onHost]);
        assert.strictEqual(leftovers.stdout, "", "a candidate file was left behind");
      });
    }

    it("and the good bundle afterwards changes nothing", function () {
      const r = provision(host);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /clawkit: provisioned\n?$/);
      assert.strictEqual(invoke("host", loopback, currentToken), "200");
    });
  });

  describeAlerts(() => ({ host, secrets: [first.token, ...first.credentials], figures }));

  describe("faults", function () {
    it("a gateway killed with SIGKILL is back, with the same token, through the served path [W5]", function () {
      const gatewayPid = () => mainPid(HOST.gatewayUnit);
      const seconds: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const before = gatewayPid();
        host.exec("systemctl kill -s KILL openclaw-gateway");
        // One poller, in the tailnet peer: measuring does not slow what it measures,
        // and "back" means what an operator sees, the token accepted through serve.
        const r = probe("tailnet", ["back-up", served, "240"], {
          input: currentToken,
          timeoutMs: 300_000,
        });
        const [state, taken] = r.stdout.trim().split(" ");
        assert.strictEqual(state, "up", host.journal("openclaw-gateway", 40));
        assert.notStrictEqual(
          gatewayPid(),
          before,
          "the same process answered: it was never killed",
        );
        seconds.push(Number(taken));
        console.log(`      back after SIGKILL, token accepted through serve: ${taken} s`);
      }
      figures.restartAfterKillSeconds = seconds;
      // Generous: a timed bound would flake on a loaded machine; the bench has the figures.
      for (const s of seconds) assert.ok(s <= 120, `back after ${s} s`);
    });

    it("a broken rotation is rolled back: the command fails, the old token still works [S3]", async function () {
      // A gateway that cannot start, whatever its token: the rotation must not leave the new one in place.
      const dropIn = `/run/systemd/system/${HOST.gatewayUnit}.d`;
      const before = host.exec(["sha256sum", HOST.secretsFile]).stdout;
      host.exec([
        "sh",
        "-c",
        `mkdir -p ${dropIn} && printf '[Service]\\nExecStartPre=/bin/false\\n' >${dropIn}/break.conf`,
      ]);
      try {
        const r = applySecrets(host, testSecrets(2, 1).env);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /rolled back/);
      } finally {
        host.exec([
          "sh",
          "-c",
          `rm -rf ${dropIn} && systemctl daemon-reload && systemctl reset-failed ${HOST.gatewayUnit}; systemctl restart ${HOST.gatewayUnit}`,
        ]);
      }
      assert.strictEqual(host.exec(["sha256sum", HOST.secretsFile]).stdout, before);
      for (let i = 0; i < 60 && invoke("host", loopback, currentToken) !== "200"; i++)
        await sleep(1000);
      assert.strictEqual(invoke("host", loopback, currentToken), "200");
      assert.strictEqual(invoke("host", loopback, testSecrets(2).token), "401");
    });

    it("a malformed secrets file is refused before anything changes [S3]", function () {
      const r = applySecrets(host, "OPENCLAW_GATEWAY_TOKEN=short\n");
      assert.notStrictEqual(r.status, 0);
      assert.match(r.stderr, /nothing changed/);
      assert.strictEqual(invoke("host", loopback, first.token), "200");
    });

    it("a good rotation makes the old token fail and the new one work, through serve too [S3]", function () {
      const seconds: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const previous = currentToken;
        const next = testSecrets(3 + i);
        const start = Date.now();
        const r = applySecrets(host, next.env);
        assert.strictEqual(r.status, 0, r.stderr);
        // Through serve, over IPv6 this time: the operator's view of "rotated".
        const throughServe = probe(
          "tailnet",
          ["back-up", servedFrom(NET.tailnetHost6), "60", "already-down"],
          { input: next.token },
        ).stdout.trim();
        assert.match(throughServe, /^up /, "the new token is not accepted through serve");
        seconds.push((Date.now() - start) / 1000);
        console.log(`      rotation, new token accepted through serve: ${seconds[i].toFixed(1)} s`);
        currentToken = next.token;
        currentSecrets = next.env;
        assert.strictEqual(invoke("host", loopback, previous), "401");
        assert.strictEqual(invoke("tailnet", served, previous), "401");
        assert.strictEqual(invoke("tailnet", served, next.token), "200");
      }
      figures.rotationSeconds = seconds;
    });

    it("repeated wrong tokens through the served path are rate-limited [R3]", function () {
      const codes: string[] = [];
      for (let i = 0; i < 12; i++)
        codes.push(invoke("tailnet", served, `wrong-${i}`.padEnd(64, "x")));
      assert.ok(codes.includes("429"), codes.join(","));
    });
  });

  describe("lockdown (clawkit:lockdown), switched exactly as `pulumi up` switches it [W7]", function () {
    const agent = (args: string[]) => probe("host", args, { user: HOST.agentUser });
    /** Every file of the agent's state and the host's secrets, with its hash. */
    const stateHashes = () =>
      host.exec(
        `find ${HOST.stateDir} ${HOST.etcDir} -type f -not -name lockdown -print0 | sort -z | xargs -0 sha256sum`,
      ).stdout;
    /** Every way out the agent user had, each as probe.py args: none may connect. */
    const agentWays = [
      ["tcp", "127.0.0.1", String(HOST.proxyPort)],
      ["tcp", "::1", String(HOST.proxyPort)],
      ["tcp", "127.0.0.1", String(HOST.credentialGatewayPort)],
      ["tcp", "127.0.0.1", String(GATEWAY_PORT)],
      ["tcp", NET.upstreamAllowed, "443"],
      ["tcp", NET.upstreamAllowed6, "443"],
      ["tcp", NET.tailnetPeer, "22"],
    ];
    const lockdownSwitch = (on: boolean) => {
      const start = Date.now();
      const r = host.exec(["runuser", "-u", ADMIN, "--", "sh", "-c", lockdownCommand(on)], {
        timeoutMs: 300_000,
      });
      return { ...r, seconds: (Date.now() - start) / 1000 };
    };
    /**
     * What a locked-down host looks like, whatever brought it there: every TCP port
     * from the tailnet (both families) the first time, after that sshd and the served port.
     */
    const assertLockedDown = (fullScan = false) => {
      const unit = (property: string) =>
        host.exec(["systemctl", "show", "-p", property, "--value", HOST.gatewayUnit]).stdout.trim();
      assert.strictEqual(unit("ActiveState"), "inactive");
      assert.strictEqual(unit("MainPID"), "0");
      for (const way of agentWays) {
        const r = agent(way);
        assert.notStrictEqual(r.status, 0, `the agent reached ${way.join(" ")}: ${r.stdout}`);
      }
      for (const { family, tailnet } of FAMILIES) {
        const [first, last] = fullScan ? ["1", "65535"] : ["22", "443"];
        const open = JSON.parse(probe("tailnet", ["scan", tailnet, first, last]).stdout);
        assert.deepStrictEqual(open, [22], `from the tailnet (${family})`);
      }
    };
    let hashesBefore = "";
    const onSeconds: number[] = [];
    const offSeconds: number[] = [];
    after(() => {
      figures.lockdownOnSeconds = onSeconds;
      figures.lockdownOffSeconds = offSeconds;
    });

    it("on: within seconds the gateway is down, from the tailnet only sshd answers, and the agent user reaches nothing", async function () {
      // A process of the agent user outside the gateway's unit: a lockdown ends it too.
      const straggler = host.spawnIn("host", [
        "runuser",
        "-u",
        HOST.agentUser,
        "--",
        "sleep",
        "600",
      ]);
      for (let i = 0; i < 50 && host.exec(["pgrep", "-u", HOST.agentUser, "sleep"]).status; i++)
        await sleep(100);
      assert.strictEqual(host.exec(["pgrep", "-u", HOST.agentUser, "sleep"]).status, 0);
      const r = lockdownSwitch(true);
      straggler.kill();
      onSeconds.push(r.seconds);
      console.log(`      lockdown on: ${r.seconds.toFixed(1)} s`);
      assert.strictEqual(r.status, 0, r.stderr);
      // From here on nothing may change them: the gateway that wrote them is stopped.
      hashesBefore = stateHashes();
      assert.ok(hashesBefore.includes(HOST.secretsFile), hashesBefore);
      assert.match(r.stdout, /gateway stopped/);
      assert.match(r.stdout, /tailscale serve: the gateway is off the tailnet/);
      assert.strictEqual(host.exec(["pgrep", "-u", HOST.agentUser]).stdout.trim(), "");
      assertLockedDown(true);
      assert.match(host.exec("journalctl -t clawkit-lockdown -o cat").stdout, /^lockdown on$/m);
    });

    it("squid and the credential gateway refuse the agent's ports even to root (the second wall); the health check still answers", function () {
      assert.strictEqual(
        probe("host", ["proxy", String(HOST.proxyPort), ALLOWED_HOST, "443"]).stdout.trim(),
        "connect=403",
      );
      const credgw = `http://127.0.0.1:${HOST.credentialGatewayPort}`;
      assert.strictEqual(
        probe("host", ["http", "POST", `${credgw}/anthropic/v1/messages`]).stdout.trim(),
        "403",
      );
      assert.strictEqual(
        probe("host", ["http", "GET", `${credgw}/clawkit-health`]).stdout.trim(),
        "200",
      );
    });

    it("nothing starts the gateway: systemctl start, provisioning, the secrets command, the nightly backup", function () {
      host.exec(["systemctl", "start", HOST.gatewayUnit]);
      assert.strictEqual(
        host
          .exec(["systemctl", "show", "-p", "ConditionResult", "--value", HOST.gatewayUnit])
          .stdout.trim(),
        "no",
        "the start was not stopped by the unit's lockdown condition",
      );
      const provisioned = provision(host);
      assert.strictEqual(provisioned.status, 0, provisioned.stderr);
      assert.match(provisioned.stderr, /locked down since/);
      const applied = applySecrets(host, currentSecrets);
      assert.strictEqual(applied.status, 0, applied.stderr);
      // Nor the nightly backup, which would run openclaw as the agent (the hashes below hold it to it).
      const backup = host.exec(["systemctl", "start", HOST.backupUnit], { timeoutMs: 300_000 });
      assert.strictEqual(backup.status, 0, backup.stderr);
      assert.match(host.readFile(HOST.backupStatusFile), / result=skipped /);
      assert.strictEqual(host.exec(["pgrep", "-u", HOST.agentUser]).stdout.trim(), "");
      assertLockedDown();
    });

    it("survives a reboot of the root: still down, still cut off, still off the tailnet", async function () {
      await host.reboot();
      assert.ok(host.exec(["test", "-e", HOST.lockdownFile]).status === 0);
      assertLockedDown();
    });

    it("the agent's state and the host's secrets are unchanged through all of it (hashes)", function () {
      const now = stateHashes().split("\n");
      const before = hashesBefore.split("\n");
      assert.deepStrictEqual(
        now.filter((l) => !before.includes(l)),
        [],
        "files changed or added during the lockdown",
      );
      assert.deepStrictEqual(
        before.filter((l) => !now.includes(l)),
        [],
        "files changed or removed during the lockdown",
      );
    });

    it("off: healthy again with the same token, through serve, and the agent's ways back", function () {
      const r = lockdownSwitch(false);
      offSeconds.push(r.seconds);
      console.log(`      lockdown off: ${r.seconds.toFixed(1)} s`);
      assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
      for (const { tailnet } of FAMILIES)
        assert.strictEqual(invoke("tailnet", servedFrom(tailnet), currentToken), "200", tailnet);
      assert.strictEqual(
        agent(["proxy", String(HOST.proxyPort), ALLOWED_HOST, "443"]).stdout.trim(),
        "connect=200 upstream=200",
      );
      assert.match(host.exec("journalctl -t clawkit-lockdown -o cat").stdout, /^lockdown off$/m);
      assert.strictEqual(stateHashes().includes(HOST.secretsFile), true);
    });

    it("a step that fails does not stop the others: the command fails naming it, and the agent is cut off and the gateway down anyway", function () {
      // tailscale refuses to remove serve; everything else works.
      const broken = host.exec([
        "sh",
        "-c",
        'mv /usr/bin/tailscale /usr/bin/tailscale.real && printf \'#!/bin/sh\ncase "$*" in *" off"*) exit 1 ;; esac\nexec /usr/bin/tailscale.real "$@"\n\' >/usr/bin/tailscale && chmod 755 /usr/bin/tailscale',
      ]);
      assert.strictEqual(broken.status, 0, broken.stderr);
      try {
        const r = lockdownSwitch(true);
        assert.notStrictEqual(
          r.status,
          0,
          "a lockdown that could not remove serve reported success",
        );
        assert.match(r.stderr, /incomplete: removing tailscale serve failed/);
        assert.match(r.stdout, /gateway stopped/);
        for (const way of agentWays)
          assert.notStrictEqual(agent(way).status, 0, `the agent reached ${way.join(" ")}`);
        assert.strictEqual(
          host.exec(["systemctl", "is-active", HOST.gatewayUnit]).stdout.trim(),
          "inactive",
        );
      } finally {
        host.exec("mv -f /usr/bin/tailscale.real /usr/bin/tailscale");
      }
      // Run again, it finishes the rest.
      const again = lockdownSwitch(true);
      assert.strictEqual(again.status, 0, again.stderr);
      assertLockedDown();
      const off = lockdownSwitch(false);
      assert.strictEqual(off.status, 0, `${off.stdout}\n${off.stderr}`);
      assert.strictEqual(invoke("tailnet", served, currentToken), "200");
    });

    it("a key rotated during a lockdown is installed and stamped, and the gateway stays down [S3, W7]", async function () {
      const on = lockdownSwitch(true);
      assert.strictEqual(on.status, 0, on.stderr);
      const stamp = () => host.exec(["cat", HOST.secretsAppliedStamp]).stdout.trim();
      const before = stamp();
      // The stamp counts seconds.
      await sleep(1100);
      // The token stays: only the model and bot keys change.
      const generation = [...Array(32).keys()].find((g) => testSecrets(g).token === currentToken);
      assert.ok(generation !== undefined, "the current token is not one testSecrets makes");
      const rotated = testSecrets(generation, 90);
      const r = applySecrets(host, rotated.env);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(stamp(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.notStrictEqual(stamp(), before, "a rotation during the lockdown was not stamped");
      assertLockedDown();
      const off = lockdownSwitch(false);
      assert.strictEqual(off.status, 0, `${off.stdout}\n${off.stderr}`);
      assert.strictEqual(invoke("tailnet", served, currentToken), "200");
      currentSecrets = rotated.env;
    });

    it("on and off again, for the bench's medians", function () {
      for (let i = 1; i < REPEATS; i++) {
        const on = lockdownSwitch(true);
        assert.strictEqual(on.status, 0, on.stderr);
        onSeconds.push(on.seconds);
        const off = lockdownSwitch(false);
        assert.strictEqual(off.status, 0, off.stderr);
        offSeconds.push(off.seconds);
      }
    });
  });

  describe("openclaw's own audit on the running host [R3, A6]", function () {
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

  describe("the gateway unit's own IP sandbox, the second wall, with the host firewall off [A2]", function () {
    before(function () {
      const off = host.exec("ufw disable");
      assert.strictEqual(off.status, 0, off.stderr);
    });
    after(function () {
      const on = host.exec(
        "ufw --force enable && iptables -S ufw-before-output | grep -q -- --uid-owner",
      );
      assert.strictEqual(on.status, 0, `ufw did not come back: ${on.stderr}`);
    });

    it("systemd enforces IPAddressDeny= in this root (else the next test would prove nothing)", function () {
      const fw = bpfFirewallEnforced(host);
      figures.ipSandbox = fw.enforced ? "enforced, tested" : `NOT ENFORCED: ${fw.reason}`;
      console.log(`      IPAddressDeny=/IPAddressAllow=: ${fw.reason}`);
      assert.ok(fw.enforced, fw.reason);
    });

    it("a process in the gateway's cgroup reaches loopback and nothing else, IPv4 and IPv6", function () {
      const wall = onlyLoopbackFromUnit(host, HOST.gatewayUnit);
      assert.ok(wall.ok, wall.reason);
      assert.ok(
        wall.probe.blocked.some((t) => t.includes(":")),
        "no IPv6 destination was refused",
      );
      assert.ok(
        wall.probe.blocked.some((t) => /^\d/.test(t)),
        "no IPv4 destination was refused",
      );
    });
  });

  // Last on this host: openclaw records each archive it makes in the agent's state
  // database, which the lockdown's byte-for-byte check of the state would count.
  describeBackups(() => ({
    host,
    store,
    secrets: [first.token, ...first.credentials],
    currentSecrets: () => currentSecrets,
    figures,
    backedUp,
  }));
  describeRestore(() => ({
    store,
    figures,
    backedUp,
    stopFirstHost: async () => {
      await host.stop();
      provider?.remove();
      bucket?.remove();
      bucket = undefined;
    },
  }));
});
