import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../core/config";
import { MoltworkerAgent } from "../../moltworker/agent";
import { Agent, program } from "../../program/program";
import { VpsAgent } from "../../vps/agent";
import {
  BACKUP_CONFIG,
  baseConfig,
  moltworkerConfig,
  SECRET_KEYS,
  sourceOf,
  TEST_SECRETS,
} from "../support/config";
import {
  installMocks,
  registered,
  Registered,
  registrations,
  settle,
  unwrap,
  valueOf,
} from "../support/mocks";

/** A stack with three agents: the first (openclaw), a second vps one, and a moltworker one. */
function fleet(overrides: Record<string, Record<string, unknown>> = {}): Record<string, string> {
  const agents = {
    openclaw: {},
    work: { execAllowlist: ["date"], serverType: "cax11" },
    cloud: {
      ...Object.fromEntries(
        Object.entries(moltworkerConfig())
          .filter(([k]) => k.startsWith("clawkit:"))
          .map(([k, v]) => [
            k.slice("clawkit:".length),
            k === "clawkit:accessEmails" ? JSON.parse(v) : v,
          ]),
      ),
    },
  };
  for (const [name, settings] of Object.entries(overrides))
    Object.assign((agents as Record<string, Record<string, unknown>>)[name], settings);
  return {
    ...baseConfig(),
    "cloudflare:apiToken": TEST_SECRETS.cloudflareApiToken,
    "clawkit:agents": JSON.stringify(agents),
  };
}

/** Builds a stack; returns its agents and what each registered (by the agent's name prefix). */
async function build(
  values: Record<string, string>,
  secretKeys = [...SECRET_KEYS, "clawkit:agents"],
) {
  const start = registered.length;
  const agents = program(sourceOf(values, secretKeys), "dev") as Record<string, Agent>;
  for (const agent of Object.values(agents)) await valueOf(agent.gatewayToken);
  await settle();
  const resources = registered.slice(start);
  const of = (name: string): Registered[] => resources.filter((r) => r.name.startsWith(`${name}-`));
  return { agents, resources, of };
}

/** A resource's inputs, secrets unwrapped, by type and name. */
const inputsByKey = (rs: Registered[]) =>
  new Map(rs.map((r) => [`${r.type}::${r.name}`, JSON.stringify(unwrap(r.inputs))]));

/** The ConfigError a stack's config is refused with. */
function refused(
  values: Record<string, string>,
  secretKeys = [...SECRET_KEYS, "clawkit:agents"],
): ConfigError {
  const start = registrations.length;
  try {
    program(sourceOf(values, secretKeys), "dev");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.strictEqual(registrations.length, start, "something was registered before the refusal");
    return e;
  }
  assert.fail("the configuration was accepted");
}

describe("many agents in one stack: clawkit:agents (mocks)", function () {
  before(installMocks);

  it("builds one component per entry, each of its own shape, under its own name", async function () {
    const { agents, resources } = await build(fleet());
    assert.deepStrictEqual(Object.keys(agents).sort(), ["cloud", "openclaw", "work"]);
    assert.ok(agents.openclaw instanceof VpsAgent && agents.work instanceof VpsAgent);
    assert.ok(agents.cloud instanceof MoltworkerAgent);
    const names = resources.map((r) => `${r.type}::${r.name}`);
    assert.strictEqual(new Set(names).size, names.length, "a resource name is registered twice");
  });

  it("no two agents share a token, a server, a volume, a tailnet name, a worker or a bucket", async function () {
    const { agents, resources } = await build(fleet());
    const tokens = await Promise.all(Object.values(agents).map((a) => valueOf(a.gatewayToken)));
    assert.strictEqual(new Set(tokens).size, tokens.length);
    for (const agent of Object.values(agents))
      assert.strictEqual(await pulumi.isSecret(agent.gatewayToken), true);
    const servers = resources
      .filter((r) => r.type === "hcloud:index/server:Server")
      .map((r) => unwrap(r.inputs.name));
    assert.deepStrictEqual(servers.sort(), ["openclaw-dev", "openclaw-dev-work"]);
    const volumes = resources
      .filter((r) => r.type === "hcloud:index/volume:Volume")
      .map((r) => unwrap(r.inputs.name));
    assert.deepStrictEqual(volumes.sort(), ["openclaw-dev-state", "openclaw-dev-work-state"]);
    const keys = resources.filter((r) => r.type === "tailscale:index/tailnetKey:TailnetKey");
    assert.strictEqual(keys.length, 2);
    const bucket = resources.find((r) => r.type === "cloudflare:index/r2Bucket:R2Bucket");
    assert.strictEqual(unwrap(bucket?.inputs.name), "openclaw-dev-cloud-state");
    assert.strictEqual(
      await valueOf((agents.cloud as MoltworkerAgent).workerUrl),
      "https://openclaw-dev-cloud.example-team.workers.dev",
    );
  });

  it("every cloud-side name differs between agents, two moltworker ones with every option included", async function () {
    const cloud = JSON.parse(fleet()["clawkit:agents"]).cloud;
    const options = {
      aiGateway: true,
      browser: true,
      accessOneTimePin: true,
      billingAlertEmail: "a@example.com",
    };
    const values = {
      ...fleet(),
      "clawkit:agents": JSON.stringify({
        openclaw: {},
        work: {},
        cloud: { ...cloud, ...options },
        cloud2: { ...cloud, ...options },
      }),
    };
    const { of } = await build(values);
    const namesOf = (agent: string) =>
      new Set(
        of(agent).flatMap((r) => {
          const inputs = unwrap(r.inputs) as Record<string, unknown>;
          return ["name", "domain", "hostname", "aiGatewayId"]
            .map((f) => inputs[f])
            .filter((v): v is string => typeof v === "string");
        }),
      );
    const agents = ["openclaw", "work", "cloud", "cloud2"];
    for (const a of agents)
      for (const b of agents.filter((x) => x > a)) {
        const shared = [...namesOf(a)].filter((n) => namesOf(b).has(n));
        assert.deepStrictEqual(shared, [], `${a} and ${b} share ${shared.join(", ")}`);
      }
    assert.ok(namesOf("cloud2").size >= 8, [...namesOf("cloud2")].join(", "));
  });

  it("an entry's settings are its own: the stack's apply where it says nothing", async function () {
    const { of } = await build(fleet());
    const server = (name: string) =>
      unwrap(of(name).find((r) => r.type === "hcloud:index/server:Server")!.inputs) as Record<
        string,
        unknown
      >;
    assert.strictEqual(server("openclaw").serverType, "cx23");
    assert.strictEqual(server("work").serverType, "cax11");
  });

  for (const [what, change] of [
    ["rotating one agent's token", { tokenRotation: "2026-12" }],
    ["locking one agent down", { lockdown: true }],
    ["changing one agent's exec allowlist", { execAllowlist: ["date", "uptime"] }],
  ] as const) {
    it(`${what} touches no input of any other agent's resources [S3, W7]`, async function () {
      const before = await build(fleet());
      const after = await build(fleet({ work: change }));
      for (const other of ["openclaw", "cloud"])
        assert.deepStrictEqual(inputsByKey(after.of(other)), inputsByKey(before.of(other)), other);
      assert.notDeepStrictEqual(inputsByKey(after.of("work")), inputsByKey(before.of("work")));
    });
  }
});

describe("many agents in one stack: a bad map is refused whole, naming the entry and the fix [W2]", function () {
  before(installMocks);

  it("not a map", function () {
    const error = refused({ ...baseConfig(), "clawkit:agents": '["work"]' });
    assert.strictEqual(error.problems[0].key, "clawkit:agents");
  });

  it("an agent name that is not a DNS label", function () {
    const error = refused(
      fleet({ work: {} }) && { ...fleet(), "clawkit:agents": JSON.stringify({ Work_1: {} }) },
    );
    assert.strictEqual(error.problems[0].key, "clawkit:agents.Work_1");
  });

  it("a misspelt setting in an entry", function () {
    const error = refused(fleet({ work: { execAllowList: ["date"] } }));
    const problem = error.problems.find((p) => p.key === "clawkit:agents.work.execAllowList");
    assert.ok(problem, error.message);
    assert.match(problem.fix, /pulumi config rm --path 'clawkit:agents\.work\.execAllowList'/);
  });

  it("a rule broken in an entry names the entry, with a --path fix", function () {
    const error = refused(fleet({ work: { execAllowlist: ["bash"] } }));
    const problem = error.problems.find((p) => p.key === "clawkit:agents.work.execAllowlist");
    assert.ok(problem, error.message);
    assert.match(problem.fix, /pulumi config rm --path 'clawkit:agents\.work\.execAllowlist'/);
    assert.ok(!error.problems.some((p) => p.key === "clawkit:execAllowlist"), error.message);
  });

  it("a rule broken by the stack's key names that key and the agent it breaks", function () {
    const error = refused({ ...fleet(), "clawkit:gatewayPort": "3128" });
    const problem = error.problems.find((p) => p.key === "clawkit:gatewayPort");
    assert.ok(problem, error.message);
    assert.match(problem.message, /^\(agent "(openclaw|work)"\)/);
  });

  it("two agents with one server name", function () {
    const error = refused(fleet({ work: { hostname: "openclaw-dev" } }));
    assert.ok(
      error.problems.some((p) => p.key === "clawkit:agents.work.hostname"),
      error.message,
    );
  });

  it("two agents with one backup repository: same endpoint, bucket and prefix [W14]", function () {
    const backup = Object.fromEntries(
      Object.entries(BACKUP_CONFIG).map(([k, v]) => [k.slice("clawkit:".length), v]),
    );
    const error = refused(
      fleet({
        openclaw: { ...backup, backupPrefix: "agents/shared" },
        work: { ...backup, backupPrefix: "agents/shared" },
      }),
    );
    assert.ok(
      error.problems.some((p) => p.key === "clawkit:agents.work.backupPrefix"),
      error.message,
    );
    // Each with its own prefix (the default: its hostname), they may share the bucket.
    assert.doesNotThrow(() =>
      program(
        sourceOf(fleet({ openclaw: backup, work: backup }), [...SECRET_KEYS, "clawkit:agents"]),
        "dev",
      ),
    );
  });

  it("a key in a map stored in plain text [S2]", function () {
    const error = refused(
      fleet({ work: { anthropicApiKey: TEST_SECRETS.anthropicApiKey } }),
      SECRET_KEYS,
    );
    const problem = error.problems.find((p) => p.key === "clawkit:agents.work.anthropicApiKey");
    assert.ok(problem, error.message);
    assert.match(problem.message, /plain text/);
    assert.match(problem.fix, /--secret --path 'clawkit:agents\.work\.anthropicApiKey'/);
    assert.ok(!error.message.includes(TEST_SECRETS.anthropicApiKey));
  });
});
