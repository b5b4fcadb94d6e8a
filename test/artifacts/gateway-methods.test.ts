import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { renderOpenclawConfig } from "../../vps/host/openclaw-config";
import { sampleSettings } from "../support/samples";
import {
  command,
  file,
  NODE24,
  OPENCLAW_CLI,
  requirePrerequisites,
  rootUser,
  ROOT,
  run,
  tempDir,
} from "../support/tools";

const CLIENT = path.join(ROOT, "test", "support", "gateway-ws.mjs");
/** The system layer's stand-in for `tailscale serve`, on a tailnet-like address of the namespace. */
const SERVE_PROXY = path.join(ROOT, "test", "system", "fakes", "serve-proxy.mjs");
const SERVED_ADDRESS = "100.100.0.10";

/** What gateway-ws.mjs prints. */
interface CallResult {
  method: string;
  ok: boolean;
  error?: { code?: string; message?: string; detailsCode?: string; requestId?: string };
  payload?: Record<string, unknown>;
}
interface ClientResult extends Partial<CallResult> {
  connected: boolean;
  role?: string;
  scopes?: string[];
  calls?: CallResult[];
}

/**
 * The pinned gateway with the rendered config, in its own mount, network and pid
 * namespaces (loopback only, a tmpfs over /var/lib), reached with nsenter --net.
 */
class Gateway {
  readonly token = crypto.randomBytes(32).toString("hex");
  readonly port: number;
  private readonly tmp = tempDir("gateway-methods");
  private child?: ChildProcess;
  private nsPid = 0;

  constructor(private readonly config: string) {
    this.port = (JSON.parse(config) as { gateway: { port: number } }).gateway.port;
  }

  get dir(): string {
    return this.tmp.dir;
  }

  async start(): Promise<void> {
    const dir = this.tmp.dir;
    fs.writeFileSync(path.join(dir, "openclaw.json"), this.config, { mode: 0o640 });
    fs.writeFileSync(path.join(dir, "token"), this.token, { mode: 0o600 });
    // The gateway dies with its namespace; the timeout ends it even if the test is killed.
    const script = `set -eu
ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /var/lib
export HOME="$DIR/home" OPENCLAW_STATE_DIR="$DIR/state" OPENCLAW_CONFIG_PATH="$DIR/openclaw.json"
export OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 NODE_ENV=production NO_COLOR=1
mkdir -p "$HOME" "$OPENCLAW_STATE_DIR"
# A tailnet-like address: the served path's callers are not loopback to the gateway.
ip addr add ${SERVED_ADDRESS}/32 dev lo
"$NODE" "$SERVE_PROXY" http://127.0.0.1:${this.port} ${SERVED_ADDRESS} &
OPENCLAW_GATEWAY_TOKEN=$(cat "$DIR/token") \\
  timeout 600 "$NODE" "$OPENCLAW" gateway run >"$DIR/gateway.out" 2>&1`;
    this.child = spawn(
      "unshare",
      ["--mount", "--net", "--pid", "--fork", "--mount-proc", "--propagation", "private"].concat([
        "sh",
        "-c",
        script,
      ]),
      {
        env: {
          PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
          DIR: dir,
          NODE: NODE24,
          OPENCLAW: OPENCLAW_CLI,
          SERVE_PROXY,
        },
        stdio: "ignore",
      },
    );
    const out = path.join(dir, "gateway.out");
    for (let i = 0; i < 240; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (this.child.exitCode !== null) break;
      const pid = this.child.pid;
      // The namespace's first process, as this machine sees it: unshare's only child.
      const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
      this.nsPid = Number(children.split(" ")[0]) || 0;
      if (
        this.nsPid &&
        fs.existsSync(out) &&
        /\[gateway\] ready/.test(fs.readFileSync(out, "utf8"))
      )
        return;
    }
    assert.fail(`the gateway did not get ready:\n${this.log().slice(-3000)}`);
  }

  log(): string {
    const out = path.join(this.tmp.dir, "gateway.out");
    return fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
  }

  /** Runs the client inside the namespace; the token goes on stdin ("" sends none). */
  client(args: string[], token = this.token): ClientResult {
    const r = run("nsenter", ["-t", String(this.nsPid), "--net", NODE24, CLIENT, ...args], {
      input: token,
      timeout: 60_000,
    });
    assert.strictEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout) as ClientResult;
  }

  /** The client over loopback, as the openclaw CLI connects: no device, every operator scope. */
  call(method: string, params: object = {}): ClientResult {
    return this.client([`ws://127.0.0.1:${this.port}`, method, JSON.stringify(params)]);
  }

  fetch(url: string): string {
    const get = `fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))`;
    const r = run("nsenter", ["-t", String(this.nsPid), "--net", NODE24, "-e", get, url], {
      timeout: 30_000,
    });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout;
  }

  stop(): void {
    // Killing the namespace's first process takes every process in it along.
    if (this.nsPid) process.kill(this.nsPid, "SIGKILL");
    this.child?.kill("SIGKILL");
    this.tmp.remove();
  }
}

/** Asserts the call was answered with a refusal (not a timeout or a broken client). */
function refused(r: ClientResult, message: RegExp): void {
  assert.strictEqual(r.connected, true, JSON.stringify(r));
  assert.strictEqual(r.ok, false, `${r.method} ran: ${JSON.stringify(r.payload)}`);
  assert.match(r.error?.message ?? "", message, JSON.stringify(r.error));
}

describe("artifacts: dangerous gateway methods (pinned openclaw, rendered config, loopback and a serve proxy) [R5]", function () {
  this.timeout(300_000);
  let gw: Gateway;
  const loopback = () => `ws://127.0.0.1:${gw.port}`;
  const tailnet = `ws://${SERVED_ADDRESS}:443`;

  before(async function () {
    requirePrerequisites(
      this,
      rootUser(),
      command("unshare"),
      command("nsenter"),
      command("ip"),
      file("Node 24", NODE24, "run scripts/install-node-deps.sh"),
      file("openclaw", OPENCLAW_CLI, "run scripts/install-node-deps.sh"),
    );
    // No Telegram: without its token the channel holds the gateway short of "ready".
    const settings = sampleSettings({ telegramAllowFrom: undefined });
    gw = new Gateway(renderOpenclawConfig(settings.openclaw));
    await gw.start();
  });

  after(() => gw?.stop());

  it("the token on loopback is admin, and a harmless method works (so refusals below are real)", function () {
    const r = gw.call("health");
    assert.strictEqual(r.ok, true, JSON.stringify(r));
    assert.ok(r.scopes?.includes("operator.admin"), JSON.stringify(r.scopes));
  });

  it("terminal.open is refused, and the Control UI page does not offer a terminal", function () {
    refused(gw.call("terminal.open", { cols: 80, rows: 24 }), /terminal is disabled/);
    const page = gw.fetch(`http://127.0.0.1:${gw.port}/`);
    assert.match(page, /data-openclaw-terminal-enabled="false"/);
  });

  it("no Claude Code/Codex CLI terminal can be started", function () {
    const params = { catalogId: "claude", agentId: "main", cwd: gw.dir };
    refused(gw.call("sessions.catalog.startTerminal", params), /gateway\.cliAgents\.enabled/);
  });

  it("installs fail closed: skill dependency installers and plugins", function () {
    const skill = { name: "healthcheck", installId: "brew" };
    refused(gw.call("skills.install", skill), /install policy failed closed/);
    const plugin = { source: "local", path: gw.dir };
    refused(gw.call("plugins.install", plugin), /immutable/);
  });

  it("config stays read-only and openclaw does not update itself", function () {
    // config.patch must name the current hash, which config.get returns: "$0.hash".
    const patch = { raw: '{"gateway":{"terminal":{"enabled":true}}}', baseHash: "$0.hash" };
    const r = gw.client([loopback(), "config.get", "{}", "config.patch", JSON.stringify(patch)]);
    assert.strictEqual(r.calls?.[0].ok, true, JSON.stringify(r.calls?.[0]));
    const patched = r.calls?.[1];
    assert.strictEqual(patched?.ok, false, JSON.stringify(patched));
    assert.match(patched?.error?.message ?? "", /immutable/);
    refused(gw.call("agents.create", { name: "other", workspace: gw.dir }), /immutable/);
    const update = gw.call("update.run");
    assert.strictEqual(update.payload?.ok, false, JSON.stringify(update));
  });

  it("a new node, CLI device or browser on loopback is not paired silently", function () {
    const asks = [
      ["--role", "node", "--client", "node-host/node", "--device", "--commands", "system.run"],
      ["--device"],
      ["--device", "--client", "openclaw-control-ui/webchat"].concat([
        "--header",
        `Origin: http://127.0.0.1:${gw.port}`,
      ]),
    ];
    for (const ask of asks) {
      const r = gw.client([...ask, loopback(), "health"]);
      assert.strictEqual(r.connected, false, `paired silently: ${ask.join(" ")}`);
      assert.strictEqual(r.error?.detailsCode, "PAIRING_REQUIRED", JSON.stringify(r));
    }
    const list = gw.client(["--full", loopback(), "device.pair.list", "{}", "node.list", "{}"]);
    const [devices, nodes] = list.calls ?? [];
    assert.deepStrictEqual(devices.payload?.paired, []);
    assert.strictEqual((devices.payload?.pending as unknown[]).length, asks.length);
    assert.deepStrictEqual(nodes.payload?.nodes, []);
  });

  it("through the serve proxy the token alone has no scope, and even an approved admin device gets no terminal [R6]", function () {
    const bare = gw.client([tailnet, "health", "{}", "terminal.open", '{"cols":80,"rows":24}']);
    assert.strictEqual(bare.connected, true, JSON.stringify(bare));
    assert.deepStrictEqual(bare.scopes, []);
    assert.strictEqual(bare.calls?.[0].ok, true, "health should work without scopes");
    assert.strictEqual(bare.calls?.[1].error?.code, "FORBIDDEN");

    const key = path.join(gw.dir, "device.pem");
    const asked = gw.client(["--device-key", key, tailnet, "health"]);
    assert.strictEqual(asked.error?.detailsCode, "PAIRING_REQUIRED", JSON.stringify(asked));
    // The operator approves it from the host, as `openclaw devices approve` would.
    const approved = gw.call("device.pair.approve", { requestId: asked.error?.requestId });
    assert.strictEqual(approved.ok, true, JSON.stringify(approved));
    const admin = gw.client([
      "--device-key",
      key,
      tailnet,
      "terminal.open",
      '{"cols":80,"rows":24}',
    ]);
    assert.ok(admin.scopes?.includes("operator.admin"), JSON.stringify(admin));
    refused(admin, /terminal is disabled/);
  });
});
