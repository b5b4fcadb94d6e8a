import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import { AddressInfo } from "net";
import * as path from "path";
import { program } from "../../program/program";
import { MoltworkerAgent } from "../../moltworker/agent";
import { moltworkerConfig, sourceOf, TEST_SECRETS } from "../support/config";
import { installMocks, registered, Registered, settle, unwrap, valueOf } from "../support/mocks";
import { command, requirePrerequisites, runLocalCommand, tempDir } from "../support/tools";
import { calls, RECORDING_CURL } from "../support/workerFakes";

/** How the stand-in for Cloudflare Access behaves in front of the stand-in worker. */
type AccessMode =
  /** Access as the kit sets it up: login redirect without credentials, the service token through. */
  | "access"
  /** The same, but Access answers 403 instead of its login redirect. */
  | "access-403"
  /** No Access at all: every request reaches the worker. */
  | "open"
  /** Access covers `/` but lets `/sandbox-health` through. */
  | "hole"
  /** Access no longer takes the kit's service token. */
  | "token-refused";

interface Seen {
  readonly who: "cloudflare-api" | "worker" | "access";
  readonly method?: string;
  readonly url?: string;
  readonly headers: http.IncomingHttpHeaders;
}

const TEAM = "example-team.cloudflareaccess.com";

describe("artifacts: the moltworker lockdown and exposure check, run for real against stand-ins for Access, the worker and Cloudflare's API", function () {
  this.timeout(60_000);
  let work: { dir: string; remove: () => void };
  let binDir: string;
  let server: http.Server;
  let silent: net.Server;
  let base: string;
  let seen: Seen[];
  let mode: AccessMode = "access";
  let revokeStatus = 200;
  let gatewayRunning = true;
  let open: Registered[];
  let locked: Registered[];
  let serviceId: string;
  let serviceSecret: string;

  /** The worker's own answers, as moltworker gives them at the pinned commit. */
  const worker = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ who: "worker", method: req.method, url: req.url, headers: req.headers });
    if (req.url === "/sandbox-health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok","service":"moltbot-sandbox","gateway_port":18789}');
    } else if (req.url === "/api/admin/gateway/restart" && req.method === "POST") {
      gatewayRunning = true;
      res.writeHead(200).end('{"success":true}');
    } else if (
      String(req.headers.accept).includes("text/html") &&
      !req.headers["cf-access-client-id"]
    ) {
      // The worker's own check: no JWT, so it sends a browser to the team domain.
      res.writeHead(302, { location: `https://${TEAM}` }).end();
    } else {
      res.writeHead(gatewayRunning ? 200 : 503).end();
    }
  };

  const access = (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ who: "access", method: req.method, url: req.url, headers: req.headers });
    if (mode === "access-403") {
      res.writeHead(403).end("Forbidden");
      return;
    }
    const back = encodeURIComponent(`${base}${req.url}`);
    res
      .writeHead(302, {
        location: `https://${TEAM}/cdn-cgi/access/login/${req.headers.host}?kid=0123&redirect_url=${back}`,
      })
      .end();
  };

  const inputsOf = (resources: Registered[], name: string) =>
    unwrap(
      resources.find((r) => r.type === "command:local:Command" && r.name === name)!.inputs,
    ) as Record<string, unknown>;

  /** A command's inputs pointed at the stand-ins, with short waits. */
  const pointed = (inputs: Record<string, unknown>, extra: Record<string, string> = {}) => ({
    ...inputs,
    environment: {
      ...(inputs.environment as Record<string, string>),
      CLAWKIT_WORKER_URL: base,
      CLAWKIT_CLOUDFLARE_API: `${base}/client/v4`,
      CLAWKIT_RESTART_WAIT: "0",
      CLAWKIT_CHECK_WAIT: "0",
      ...extra,
    },
  });

  /** Runs a command with the recording curl first on PATH; returns its result and its curl calls. */
  const runCommand = async (inputs: Record<string, unknown>) => {
    const log = fs.mkdtempSync(path.join(work.dir, "log-"));
    const env = { PATH: `${binDir}:/usr/bin:/bin`, HOME: work.dir, FAKE_LOG: log };
    const started = Date.now();
    const result = await runLocalCommand(inputs, "create", env);
    return { ...result, seconds: (Date.now() - started) / 1000, curls: calls(log) };
  };

  /** No secret in the argv or environment of any curl the command ran. */
  const assertNoSecretShown = (curls: ReturnType<typeof calls>) => {
    assert.ok(curls.length > 0);
    for (const call of curls)
      for (const secret of [serviceSecret, TEST_SECRETS.cloudflareApiToken]) {
        assert.ok(!call.argv.join("\n").includes(secret), "a secret in curl's argv");
        assert.ok(!call.env.includes(secret), "a secret in curl's environment");
      }
  };

  before(async function () {
    requirePrerequisites(this, command("curl"));
    work = tempDir("worker-incident");
    binDir = path.join(work.dir, "bin");
    fs.mkdirSync(binDir);
    fs.writeFileSync(path.join(binDir, "curl"), RECORDING_CURL, { mode: 0o755 });

    seen = [];
    server = http.createServer((req, res) => {
      if (req.url?.startsWith("/client/v4/")) {
        seen.push({
          who: "cloudflare-api",
          method: req.method,
          url: req.url,
          headers: req.headers,
        });
        res.writeHead(revokeStatus, { "content-type": "application/json" });
        res.end(`{"success":${revokeStatus === 200},"result":{}}`);
        return;
      }
      const token =
        req.headers["cf-access-client-id"] === serviceId &&
        req.headers["cf-access-client-secret"] === serviceSecret;
      const through =
        mode === "open" ||
        (mode === "hole" && req.url === "/sandbox-health") ||
        (token && mode !== "token-refused");
      (through ? worker : access)(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Accepts connections and never answers: a worker that hangs.
    silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));

    await installMocks();
    const build = async (values: Record<string, string>) => {
      const start = registered.length;
      const outputs = program(sourceOf(values), "dev") as MoltworkerAgent;
      serviceId = await valueOf(outputs.accessServiceTokenId);
      serviceSecret = await valueOf(outputs.accessServiceTokenSecret);
      await settle();
      return registered.slice(start);
    };
    open = await build(moltworkerConfig());
    locked = await build({ ...moltworkerConfig(), "clawkit:lockdown": "true" });
  });

  after(function () {
    server?.close();
    silent?.close();
    work?.remove();
  });

  beforeEach(function () {
    seen.length = 0;
    mode = "access";
    revokeStatus = 200;
    gatewayRunning = true;
  });

  it("exposure check: passes when Access answers without credentials and the worker answers the service token; no secret on a command line [M12]", async function () {
    const r = await runCommand(pointed(inputsOf(open, "openclaw-exposure-check-probe")));
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /without Access credentials, Access answered \/ and \/sandbox-health/);
    assert.match(r.stderr, /with the service token, the worker answered its health route/);
    assert.deepStrictEqual(
      seen.map((s) => `${s.who} ${s.url}`),
      ["access /", "access /sandbox-health", "worker /sandbox-health"],
    );
    assert.strictEqual(seen[2].headers["cf-access-client-secret"], serviceSecret);
    assertNoSecretShown(r.curls);
    assert.ok(r.seconds < 5, `took ${r.seconds} s`);
    console.log(`      exposure check against the stand-ins: ${r.seconds.toFixed(2)} s`);

    mode = "access-403";
    const forbidden = await runCommand(pointed(inputsOf(open, "openclaw-exposure-check-probe")));
    assert.strictEqual(forbidden.status, 0, forbidden.stderr);
  });

  it("exposure check: an Access that lets an unauthenticated request through fails it, naming the finding [M12]", async function () {
    mode = "open";
    const r = await runCommand(pointed(inputsOf(open, "openclaw-exposure-check-probe")));
    assert.notStrictEqual(r.status, 0);
    // The worker's own redirect goes to the team domain too; it is not Access's login page.
    assert.match(
      r.stderr,
      new RegExp(
        `FAILED: without Access credentials, ${base}/ redirected to https://${TEAM}/? \\(302\\), not to Access's login page`,
      ),
    );
    assert.strictEqual(seen.filter((s) => s.who === "worker").length, 3, "looked three times");

    mode = "hole";
    const hole = await runCommand(pointed(inputsOf(open, "openclaw-exposure-check-probe")));
    assert.notStrictEqual(hole.status, 0);
    assert.match(
      hole.stderr,
      /FAILED: without Access credentials, \S+\/sandbox-health got HTTP 200 \(the worker's own health answer\)/,
    );
  });

  it("exposure check: an Access that no longer takes the kit's service token fails it, naming the token [M12]", async function () {
    mode = "token-refused";
    const r = await runCommand(pointed(inputsOf(open, "openclaw-exposure-check-probe")));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /with the kit's Access service token, \S+\/sandbox-health got HTTP 302/);
    assert.match(r.stderr, /could neither restart the gateway nor undo a lockdown/);
  });

  it("exposure check: bounded, a worker that never answers fails it within the timeouts [M12]", async function () {
    const port = (silent.address() as AddressInfo).port;
    const inputs = pointed(inputsOf(open, "openclaw-exposure-check-probe"), {
      CLAWKIT_WORKER_URL: `http://127.0.0.1:${port}`,
      CLAWKIT_CHECK_TRIES: "1",
    });
    const r = await runCommand(inputs);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /could not be reached without credentials \(curl failed\)/);
    assert.ok(r.seconds < 8, `took ${r.seconds} s`);
  });

  it("lockdown on: revokes every Access session of the application, then restarts the gateway with the service token; secrets only on curl's stdin [M11, M6]", async function () {
    const inputs = inputsOf(locked, "openclaw-lockdown-switch");
    const r = await runCommand(pointed(inputs));
    assert.strictEqual(r.status, 0, r.stderr);
    const env = inputs.environment as Record<string, string>;
    assert.deepStrictEqual(
      seen.map((s) => `${s.who} ${s.method} ${s.url}`),
      [
        `cloudflare-api POST /client/v4/accounts/${env.CLOUDFLARE_ACCOUNT_ID}/access/apps/${env.CLAWKIT_ACCESS_APP_ID}/revoke_tokens`,
        "worker POST /api/admin/gateway/restart",
      ],
    );
    assert.strictEqual(seen[0].headers.authorization, `Bearer ${TEST_SECRETS.cloudflareApiToken}`);
    assert.strictEqual(seen[1].headers["cf-access-client-id"], serviceId);
    assert.strictEqual(seen[1].headers["cf-access-client-secret"], serviceSecret);
    assertNoSecretShown(r.curls);
    assert.match(r.stderr, /moltworker has no stop route, so a new gateway runs in its container/);
    assert.match(
      r.stderr,
      /still running at Cloudflare: the worker, the container and its gateway/,
    );

    // During a lockdown the check still passes: the service token gets through and the
    // worker's health route answers without the gateway.
    gatewayRunning = false;
    const check = await runCommand(pointed(inputsOf(locked, "openclaw-exposure-check-probe")));
    assert.strictEqual(check.status, 0, check.stderr);
  });

  it("lockdown on: a revocation Cloudflare refuses fails the command, says what to do, and restarts nothing [M11]", async function () {
    revokeStatus = 403;
    const r = await runCommand(pointed(inputsOf(locked, "openclaw-lockdown-switch")));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /were not revoked .*Access: Apps and Policies Edit/);
    assert.strictEqual(seen.filter((s) => s.who === "worker").length, 0);
  });

  it("lockdown off: touches nothing at Cloudflare, and says people get in again [M11]", async function () {
    const r = await runCommand(pointed(inputsOf(open, "openclaw-lockdown-switch")));
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /lockdown off: Access lets the listed people in again/);
    assert.deepStrictEqual(seen, []);
  });
});
