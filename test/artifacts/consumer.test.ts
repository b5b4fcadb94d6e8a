import * as assert from "assert";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as source from "../../index";
import { FIXTURE_CHECKOUT_DIR, FIXTURE_COMMIT, TEST_SECRETS } from "../support/config";
import { installMocks, registered, registrations, settle, unwrap, valueOf } from "../support/mocks";
import { InstalledPackage, installedPackage } from "../support/package";
import { command, requirePrerequisites, ROOT, run } from "../support/tools";

/** The consumer program's stack outputs. */
interface ConsumerOutputs {
  gatewayTokens: Record<"personal" | "work" | "closet" | "cloud", pulumi.Output<string>>;
  tailnetUrls: pulumi.Output<string>[];
  workerUrl: pulumi.Output<string>;
}

const FIXTURE = path.join(ROOT, "test", "fixtures", "consumer");
const AGENTS = ["personal", "work", "closet", "cloud"];

describe("artifacts: a Pulumi program using the packed package as a library: two vps agents, a host agent and a moltworker one in one stack (mocks)", function () {
  this.timeout(300_000);
  let pkg: InstalledPackage;
  let outputs: ConsumerOutputs;
  let urns: string[];
  let resources: typeof registered;

  before(async function () {
    requirePrerequisites(this, command("tar"));
    pkg = installedPackage();
    for (const file of ["index.ts", "tsconfig.json"])
      fs.copyFileSync(path.join(FIXTURE, file), path.join(pkg.projectDir, file));
    await installMocks();
    pulumi.runtime.setAllConfig(
      {
        "consumer:anthropicApiKey": TEST_SECRETS.anthropicApiKey,
        "consumer:telegramBotToken": TEST_SECRETS.telegramBotToken,
        "consumer:telegramUserId": "123456789",
        "consumer:cloudflareAccountId": "0123456789abcdef0123456789abcdef",
        "consumer:cloudflareApiToken": TEST_SECRETS.cloudflareApiToken,
        "consumer:workersSubdomain": "example-team",
        "consumer:accessEmail": "alice@example.com",
        "consumer:moltworkerDir": FIXTURE_CHECKOUT_DIR,
        "consumer:moltworkerCommit": FIXTURE_COMMIT,
        "consumer:closetHost": "closet.tail1234.ts.net",
        "consumer:closetLogin": "alice",
      },
      ["consumer:anthropicApiKey", "consumer:telegramBotToken", "consumer:cloudflareApiToken"],
    );
    const firstRegistration = registrations.length;
    const firstResource = registered.length;
    outputs = (await import(path.join(pkg.projectDir, "index.ts"))) as ConsumerOutputs;
    await Promise.all(Object.values(outputs.gatewayTokens).map(valueOf));
    await settle();
    urns = registrations.slice(firstRegistration).map((r) => r.urn);
    resources = registered.slice(firstResource);
  });

  it("imports the built package, not this checkout's source", async function () {
    // Resolved as the program's own import is (from here, "clawkit" would be this checkout itself).
    const entry = createRequire(path.join(pkg.projectDir, "index.ts")).resolve("clawkit");
    assert.strictEqual(entry, path.join(pkg.packageDir, "dist", "index.js"));
    const built = (await import(entry)) as typeof source;
    assert.notStrictEqual(built.VpsAgent, source.VpsAgent);
    // The worker is deployed by the package's own script.
    const deploy = resources.find((r) => r.name === "cloud-worker-wrangler");
    assert.ok(
      String(unwrap(deploy?.inputs.create)).includes(
        path.join(pkg.packageDir, "dist", "moltworker", "deploy.sh"),
      ),
      String(unwrap(deploy?.inputs.create)),
    );
  });

  it("type-checks against the package's declarations (tsc, strict)", function () {
    const types = path.join(pkg.projectDir, "node_modules", "@types");
    fs.mkdirSync(types, { recursive: true });
    if (!fs.existsSync(path.join(types, "node")))
      fs.symlinkSync(path.join(ROOT, "node_modules", "@types", "node"), path.join(types, "node"));
    const tsc = run(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", pkg.projectDir],
      { cwd: pkg.projectDir },
    );
    assert.strictEqual(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  it("no URN is registered twice, and each agent's resources carry its name", function () {
    assert.ok(urns.length >= 40, `${urns.length} registrations`);
    const twice = urns.filter((urn, i) => urns.indexOf(urn) !== i);
    assert.deepStrictEqual(twice, []);
    for (const agent of AGENTS)
      assert.ok(urns.some((u) => u.endsWith(`::${agent}`) && u.includes("clawkit:index:")));
  });

  it("no cloud-side name is shared: servers, volumes, tailnet hostnames, bucket, worker, Access applications", async function () {
    const namesOf = (agent: string) =>
      new Set(
        resources
          .filter((r) => r.name.startsWith(`${agent}-`))
          .flatMap((r) => {
            const inputs = unwrap(r.inputs) as Record<string, unknown>;
            const environment = (inputs.environment ?? {}) as Record<string, unknown>;
            return [
              inputs.name,
              inputs.domain,
              inputs.hostname,
              inputs.aiGatewayId,
              environment.CLAWKIT_WORKER_NAME,
            ].filter((v): v is string => typeof v === "string" && v !== "-");
          }),
      );
    const names = Object.fromEntries(AGENTS.map((a) => [a, namesOf(a)]));
    for (const [i, a] of AGENTS.entries())
      for (const b of AGENTS.slice(i + 1)) {
        const shared = [...names[a]].filter((n) => names[b].has(n));
        assert.deepStrictEqual(shared, [], `${a} and ${b} share ${shared.join(", ")}`);
      }
    // Servers and volumes by name, the worker and its bucket, and the Access application.
    const named = (type: string) =>
      resources.filter((r) => r.type === type).map((r) => unwrap(r.inputs.name));
    assert.strictEqual(new Set(named("hcloud:index/server:Server")).size, 2);
    assert.strictEqual(new Set(named("hcloud:index/volume:Volume")).size, 2);
    assert.strictEqual(named("cloudflare:index/r2Bucket:R2Bucket").length, 1);
    assert.ok(
      named("cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication").length >= 1,
    );
    assert.ok(names.cloud.has("openclaw-dev-cloud"), [...names.cloud].join(", "));
    const hosts = await Promise.all(outputs.tailnetUrls.map(valueOf));
    assert.strictEqual(new Set(hosts.map((u) => new URL(u).hostname)).size, 3, hosts.join(", "));
  });

  it("each agent has its own gateway token, and each is secret", async function () {
    const tokens = Object.values(outputs.gatewayTokens);
    const values = await Promise.all(tokens.map(valueOf));
    assert.strictEqual(new Set(values).size, 4);
    for (const value of values) assert.ok(value.length >= 48);
    for (const token of tokens) assert.strictEqual(await pulumi.isSecret(token), true);
  });
});
