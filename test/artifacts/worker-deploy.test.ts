import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { program } from "../../program/program";
import { readCheckout } from "../../moltworker/checkout";
import { MoltworkerAgent } from "../../moltworker/agent";
import {
  BASE_WORKER_SECRET_NAMES,
  FIXTURE_WRANGLER_CONFIG,
  moltworkerConfig,
  SECRET_KEYS,
  sourceOf,
  TEST_SECRETS,
} from "../support/config";
import { installMocks, registered, Registered, settle, unwrap, valueOf } from "../support/mocks";
import { command, requirePrerequisites, run, runLocalCommand, tempDir } from "../support/tools";
import { calls, FAKE_WRANGLER, RECORDING_CURL } from "../support/workerFakes";

/** git in a test checkout, as a throwaway committer; fails the test on error. */
function gitIn(dir: string, ...args: string[]): string {
  const r = run("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
  assert.strictEqual(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe("artifacts: the moltworker deploy commands, run for real against a fake wrangler", function () {
  this.timeout(60_000);
  let work: { dir: string; remove: () => void };
  let checkoutDir: string;
  let binDir: string;
  let commit: string;
  let resources: Registered[];
  let outputs: MoltworkerAgent;
  let server: http.Server;
  let restarts: { method?: string; url?: string; headers: http.IncomingHttpHeaders }[];
  let restartStatus = 200;
  let baseEnv: Record<string, string>;

  const inputsOf = (name: string) =>
    unwrap(
      resources.find((r) => r.type === "command:local:Command" && r.name === name)!.inputs,
    ) as Record<string, unknown>;
  /** A fresh log directory and the environment the operator's shell would give the command. */
  const session = (extra: Record<string, string> = {}) => {
    const log = fs.mkdtempSync(path.join(work.dir, "log-"));
    return { log, env: { ...baseEnv, FAKE_LOG: log, ...extra } };
  };
  /** The secrets command, pointed at the loopback stand-in for the worker. */
  const secretsInputs = () => {
    const inputs = inputsOf("openclaw-worker-secrets-bulk");
    const port = (server.address() as AddressInfo).port;
    return {
      ...inputs,
      environment: {
        ...(inputs.environment as Record<string, string>),
        CLAWKIT_WORKER_URL: `http://127.0.0.1:${port}`,
        CLAWKIT_RESTART_WAIT: "0",
        CLAWKIT_RESTART_TRIES: "2",
      },
    };
  };

  before(async function () {
    requirePrerequisites(this, command("git"), command("curl"));
    work = tempDir("worker-deploy");
    checkoutDir = path.join(work.dir, "moltworker");
    fs.mkdirSync(checkoutDir);
    fs.writeFileSync(path.join(checkoutDir, "wrangler.jsonc"), FIXTURE_WRANGLER_CONFIG);
    const git = (...args: string[]) => gitIn(checkoutDir, ...args);
    git("init", "-q");
    git("add", "wrangler.jsonc");
    git("commit", "-qm", "fixture");
    commit = git("rev-parse", "HEAD");

    binDir = path.join(work.dir, "bin");
    fs.mkdirSync(binDir);
    fs.writeFileSync(path.join(binDir, "wrangler"), FAKE_WRANGLER, { mode: 0o755 });
    fs.writeFileSync(path.join(binDir, "curl"), RECORDING_CURL, { mode: 0o755 });
    const env: Record<string, string> = { PATH: `${binDir}:/usr/bin:/bin`, HOME: work.dir };
    baseEnv = env;

    restarts = [];
    server = http.createServer((req, res) => {
      restarts.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(restartStatus).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

    await installMocks();
    const values = {
      ...moltworkerConfig(),
      "clawkit:moltworkerDir": checkoutDir,
      "clawkit:moltworkerCommit": commit,
      "clawkit:browser": "true",
    };
    const start = registered.length;
    outputs = program(
      sourceOf(values, SECRET_KEYS, {}, { [checkoutDir]: readCheckout(checkoutDir)! }),
      "dev",
    ) as MoltworkerAgent;
    await valueOf(outputs.accessServiceTokenSecret);
    await settle();
    resources = registered.slice(start);
  });

  after(function () {
    server?.close();
    work?.remove();
  });

  it("deploy: checks the pinned commit, writes the rendered config, runs `wrangler deploy` with it [M8]", async function () {
    const inputs = inputsOf("openclaw-worker-wrangler");
    const { log, env } = session();
    const r = await runLocalCommand(inputs, "create", env);
    assert.strictEqual(r.status, 0, r.stderr);
    const [deploy, ...rest] = calls(log);
    assert.strictEqual(rest.length, 0);
    assert.deepStrictEqual(deploy.argv, ["deploy", "--config", "wrangler.clawkit.json"]);
    const written = fs.readFileSync(path.join(checkoutDir, "wrangler.clawkit.json"), "utf8");
    assert.strictEqual(
      written,
      (inputs.environment as Record<string, string>).CLAWKIT_WRANGLER_CONFIG,
    );
    // wrangler takes its own API token from its environment, put there by the script from stdin.
    assert.match(
      deploy.env,
      new RegExp(`^CLOUDFLARE_API_TOKEN=${TEST_SECRETS.cloudflareApiToken}$`, "m"),
    );
    assert.ok(!JSON.stringify(inputs.environment).includes(TEST_SECRETS.cloudflareApiToken));
  });

  it("secrets: reach `wrangler secret bulk` on stdin only, exactly the names the worker reads; the gateway is restarted through Access [M6, M7]", async function () {
    restarts.length = 0;
    restartStatus = 200;
    const inputs = secretsInputs();
    const { log, env } = session();
    const r = await runLocalCommand(inputs, "create", env);
    assert.strictEqual(r.status, 0, r.stderr);
    const recorded = calls(log);
    assert.deepStrictEqual(
      recorded.map((c) => `${c.tool} ${c.argv.slice(0, 2).join(" ")}`),
      ["wrangler secret list", "wrangler secret bulk", "curl -fsS -o"],
    );
    const bulk = recorded[1];
    assert.deepStrictEqual(bulk.argv, ["secret", "bulk", "--name", "openclaw-dev"]);
    const sent = JSON.parse(bulk.stdin!) as Record<string, string>;
    // The browser is on in this stack: its secret and URL come on top of the baseline's.
    assert.deepStrictEqual(
      Object.keys(sent).sort(),
      [...BASE_WORKER_SECRET_NAMES, "CDP_SECRET", "WORKER_URL"].sort(),
    );
    assert.strictEqual(sent.MOLTBOT_GATEWAY_TOKEN, await valueOf(outputs.gatewayToken));

    // No secret value in any argv or any environment of anything the script ran.
    const serviceSecret = await valueOf(outputs.accessServiceTokenSecret);
    const secretValues = [
      ...Object.entries(sent)
        .filter(
          ([name]) =>
            ![
              "CF_ACCOUNT_ID",
              "R2_BUCKET_NAME",
              "TELEGRAM_DM_POLICY",
              "WORKER_URL",
              "CF_ACCESS_TEAM_DOMAIN",
              "R2_ACCESS_KEY_ID",
            ].includes(name),
        )
        .map(([, value]) => value),
      serviceSecret,
    ];
    for (const call of recorded) {
      for (const secret of secretValues) {
        assert.ok(
          !call.argv.join("\n").includes(secret),
          `${call.tool} ${call.argv[0]} has a secret in argv`,
        );
        assert.ok(
          !call.env.includes(secret),
          `${call.tool} ${call.argv[0]} has a secret in its environment`,
        );
      }
    }
    // The API token goes to wrangler's environment and nowhere else.
    for (const call of recorded)
      assert.ok(
        !call.argv.join("\n").includes(TEST_SECRETS.cloudflareApiToken),
        "API token in argv",
      );
    assert.ok(!recorded[2].env.includes(TEST_SECRETS.cloudflareApiToken), "curl got the API token");

    assert.strictEqual(restarts.length, 1);
    assert.strictEqual(restarts[0].method, "POST");
    assert.strictEqual(restarts[0].url, "/api/admin/gateway/restart");
    assert.strictEqual(
      restarts[0].headers["cf-access-client-id"],
      await valueOf(outputs.accessServiceTokenId),
    );
    assert.strictEqual(restarts[0].headers["cf-access-client-secret"], serviceSecret);
  });

  it("secrets: refused, before any is set, when the worker carries a debug switch [M3]", async function () {
    const { log, env } = session({
      FAKE_SECRET_LIST: '[{"name":"DEBUG_ROUTES","type":"secret_text"}]',
    });
    const r = await runLocalCommand(secretsInputs(), "create", env);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /DEBUG_ROUTES.*wrangler secret delete DEBUG_ROUTES/);
    assert.deepStrictEqual(
      calls(log).map((c) => c.argv[1]),
      ["list"],
    );
  });

  it("secrets: a gateway that cannot be restarted fails the command, saying the old secrets still run [M7, M13]", async function () {
    restarts.length = 0;
    restartStatus = 503;
    const { env } = session();
    const r = await runLocalCommand(secretsInputs(), "create", env);
    restartStatus = 200;
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /still holds the old ones/);
    assert.strictEqual(restarts.length, 2, "it retried");
  });

  it("deploy: refused when the checkout moved off the pinned commit, or has local changes [M8]", async function () {
    const inputs = inputsOf("openclaw-worker-wrangler");
    fs.appendFileSync(path.join(checkoutDir, "wrangler.jsonc"), "\n// local change\n");
    let s = session();
    let r = await runLocalCommand(inputs, "create", s.env);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /local changes/);
    assert.strictEqual(calls(s.log).length, 0, "wrangler ran");
    const git = (...args: string[]) => gitIn(checkoutDir, ...args);
    git("commit", "-qam", "moved");
    s = session();
    r = await runLocalCommand(inputs, "create", s.env);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /not the pinned .*clawkit:moltworkerCommit/);
    assert.strictEqual(calls(s.log).length, 0, "wrangler ran");
    git("reset", "-q", "--hard", commit);
  });

  it("destroy: the bucket guard stops it by default, and lets it go on with bucketOnDestroy keep [M9, M13]", async function () {
    const inputs = inputsOf("openclaw-bucket-guard-on-destroy");
    const refused = await runLocalCommand(inputs, "delete", session().env);
    assert.notStrictEqual(refused.status, 0);
    assert.match(
      refused.stderr,
      /destroy stopped: the R2 bucket openclaw-dev-state and its token are untouched/,
    );
    assert.match(refused.stderr, /clawkit:bucketOnDestroy export .* or keep/);
    const keep = {
      ...inputs,
      environment: {
        ...(inputs.environment as Record<string, string>),
        CLAWKIT_BUCKET_ON_DESTROY: "keep",
      },
    };
    const kept = await runLocalCommand(keep, "delete", session().env);
    assert.strictEqual(kept.status, 0, kept.stderr);
  });

  it("deploy: without wrangler installed, says how to install it", async function () {
    const { env } = session({ PATH: "/usr/bin:/bin" });
    const r = await runLocalCommand(inputsOf("openclaw-worker-wrangler"), "create", env);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /wrangler not found: install moltworker's dependencies \(npm ci in /);
  });

  it("delete: `wrangler delete` for the stack's worker", async function () {
    const { log, env } = session();
    const r = await runLocalCommand(inputsOf("openclaw-worker-wrangler"), "delete", env);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(calls(log)[0].argv, ["delete", "--name", "openclaw-dev"]);
  });
});
