import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../../index";
import { HostAgent, MoltworkerAgent, VpsAgent } from "../../index";
import { FIXTURE_CHECKOUT_DIR, FIXTURE_COMMIT, TEST_SECRETS } from "../support/config";
import { installMocks, registrations, settle, unwrap, valueOf } from "../support/mocks";
import { matchSnapshot } from "../support/snapshot";
import { ROOT } from "../support/tools";

/** The part of a Pulumi package schema these tests read. */
interface Schema {
  name: string;
  resources: Record<
    string,
    {
      isComponent: boolean;
      inputProperties: Record<string, { plain?: boolean }>;
      properties: Record<string, unknown>;
    }
  >;
}

/**
 * The component provider `pulumi package add` runs (PulumiPlugin.yaml, runtime nodejs):
 * named after package.json, over this checkout, its schema read from the TypeScript
 * source by Pulumi's analyzer, offline.
 */
const provider = new ComponentProvider({
  components: [VpsAgent, MoltworkerAgent, HostAgent],
  dirname: ROOT,
  name: "clawkit",
});

describe("component plugin: Pulumi's analyzer reads the components' schema offline", function () {
  this.timeout(60_000);
  let schema: Schema;

  before(async function () {
    schema = JSON.parse(await provider.getSchema()) as Schema;
  });

  it("the plugin host finds exactly the three agents among the library entry's exports", function () {
    assert.deepStrictEqual(
      getPulumiComponents(library).map((c) => c.name),
      ["VpsAgent", "HostAgent", "MoltworkerAgent"],
    );
  });

  it("one component resource per shape, under the clawkit:index tokens", function () {
    assert.strictEqual(schema.name, "clawkit");
    assert.deepStrictEqual(Object.keys(schema.resources).sort(), [
      "clawkit:index:HostAgent",
      "clawkit:index:MoltworkerAgent",
      "clawkit:index:VpsAgent",
    ]);
    for (const resource of Object.values(schema.resources))
      assert.strictEqual(resource.isComponent, true);
  });

  it("the secrets are inputs, never plain: another language may pass an Output", function () {
    const secrets: [string, string][] = [
      ["VpsAgent", "anthropicApiKey"],
      ["VpsAgent", "telegramBotToken"],
      ["VpsAgent", "alertWebhook"],
      ["HostAgent", "sshPrivateKey"],
      ["HostAgent", "anthropicApiKey"],
      ["MoltworkerAgent", "cloudflareApiToken"],
      ["MoltworkerAgent", "anthropicApiKey"],
    ];
    for (const [component, field] of secrets) {
      const input = schema.resources[`clawkit:index:${component}`].inputProperties[field];
      assert.ok(input, `${component}.${field} is not in the schema`);
      assert.notStrictEqual(input.plain, true, `${component}.${field} is plain`);
    }
  });

  it("matches its snapshot", function () {
    matchSnapshot("component-schema.json", JSON.stringify(schema, null, 2) + "\n");
  });
});

describe("component plugin: the provider's construct under mocks", function () {
  this.timeout(60_000);
  before(installMocks);

  /** Constructs through the provider as the engine would; returns the URN, the state and what registered. */
  async function construct(type: string, inputs: pulumi.Inputs) {
    const start = registrations.length;
    const result = await provider.construct("a", type, inputs, {});
    const urn = await valueOf(pulumi.output(result.urn));
    await settle();
    const children = registrations
      .slice(start)
      .filter((r) => r.urn.startsWith(`urn:pulumi:dev::clawkit::${type}$`))
      .map((r) => r.urn);
    return { urn, state: result.state, children };
  }

  /** The state's outputs that are secret, and any plain one that holds a test secret. */
  async function secrecy(state: pulumi.Inputs) {
    const secret: string[] = [];
    const leaking: string[] = [];
    for (const [key, value] of Object.entries(state)) {
      assert.ok(pulumi.Output.isInstance(value), `${key} is not an Output`);
      if (await pulumi.isSecret(value)) secret.push(key);
      else {
        const plain = JSON.stringify(unwrap(await valueOf(value)));
        if (Object.values(TEST_SECRETS).some((s) => plain.includes(s))) leaking.push(key);
      }
    }
    return { secret: secret.sort(), leaking };
  }

  it("VpsAgent: its children under it, every output of the schema, the token and the key secret", async function () {
    const { urn, state, children } = await construct("clawkit:index:VpsAgent", {
      anthropicApiKey: pulumi.secret(TEST_SECRETS.anthropicApiKey),
      telegramBotToken: pulumi.secret(TEST_SECRETS.telegramBotToken),
      telegramAllowFrom: ["123456789"],
    });
    assert.strictEqual(urn, "urn:pulumi:dev::clawkit::clawkit:index:VpsAgent::a");
    const schema = JSON.parse(await provider.getSchema()) as Schema;
    assert.deepStrictEqual(
      Object.keys(state).sort(),
      Object.keys(schema.resources["clawkit:index:VpsAgent"].properties).sort(),
    );
    const types = children.map((u) => u.split("::")[2].split("$").pop());
    for (const type of [
      "random:index/randomPassword:RandomPassword",
      "tailscale:index/tailnetKey:TailnetKey",
      "hcloud:index/firewall:Firewall",
      "hcloud:index/server:Server",
      "hcloud:index/volume:Volume",
      "command:remote:Command",
    ])
      assert.ok(types.includes(type), `no ${type} under the component`);
    for (const child of children) assert.match(child.split("::")[3], /^a-/);
    assert.deepStrictEqual(await secrecy(state), {
      secret: ["adminPrivateKey", "gatewayToken"],
      leaking: [],
    });
  });

  it("HostAgent: its children under it, only commands (no cloud resource), every output of the schema, the token secret", async function () {
    const { urn, state, children } = await construct("clawkit:index:HostAgent", {
      anthropicApiKey: pulumi.secret(TEST_SECRETS.anthropicApiKey),
      host: "box.tail1234.ts.net",
      adminUser: "alice",
    });
    assert.strictEqual(urn, "urn:pulumi:dev::clawkit::clawkit:index:HostAgent::a");
    const schema = JSON.parse(await provider.getSchema()) as Schema;
    assert.deepStrictEqual(
      Object.keys(state).sort(),
      Object.keys(schema.resources["clawkit:index:HostAgent"].properties).sort(),
    );
    const types = new Set(children.map((u) => u.split("::")[2].split("$").pop()));
    assert.deepStrictEqual([...types].filter((t) => !t?.startsWith("clawkit:")).sort(), [
      "command:local:Command",
      "command:remote:Command",
      "random:index/randomPassword:RandomPassword",
    ]);
    for (const child of children) assert.match(child.split("::")[3], /^a-/);
    assert.deepStrictEqual(await secrecy(state), { secret: ["gatewayToken"], leaking: [] });
  });

  it("MoltworkerAgent: its children under it, the token and the service token's secret secret", async function () {
    const { urn, state, children } = await construct("clawkit:index:MoltworkerAgent", {
      anthropicApiKey: pulumi.secret(TEST_SECRETS.anthropicApiKey),
      cloudflareAccountId: "0123456789abcdef0123456789abcdef",
      cloudflareApiToken: pulumi.secret(TEST_SECRETS.cloudflareApiToken),
      workersSubdomain: "example-team",
      accessEmails: ["alice@example.com"],
      moltworkerDir: FIXTURE_CHECKOUT_DIR,
      moltworkerCommit: FIXTURE_COMMIT,
    });
    assert.strictEqual(urn, "urn:pulumi:dev::clawkit::clawkit:index:MoltworkerAgent::a");
    const types = children.map((u) => u.split("::")[2].split("$").pop());
    for (const type of [
      "cloudflare:index/r2Bucket:R2Bucket",
      "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
      "command:local:Command",
    ])
      assert.ok(types.includes(type), `no ${type} under the component`);
    assert.deepStrictEqual(await secrecy(state), {
      secret: ["accessServiceTokenSecret", "gatewayToken"],
      leaking: [],
    });
  });
});
