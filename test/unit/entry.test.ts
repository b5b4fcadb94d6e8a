import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isWireSecret, registered, settle, unwrap, valueOf } from "../support/mocks";
import { baseConfig, SECRET_KEYS, TEST_SECRETS } from "../support/config";

/** Runs program/main.ts afresh (as `pulumi up` would) over a stack's config. */
function runMain(config: Record<string, string>, secretKeys: string[]) {
  pulumi.runtime.setAllConfig(config, secretKeys);
  const main = require.resolve("../../program/main");
  delete require.cache[main];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(main) as Record<string, unknown>;
}

describe("program/main.ts: the Pulumi program reads Pulumi's own config (mocks)", function () {
  before(installMocks);

  it("builds the vps stack from `pulumi config` values, secrets included", async function () {
    const start = registered.length;
    const entry = runMain(baseConfig(), SECRET_KEYS);
    await valueOf(entry.sshHostKey as pulumi.Output<string>);
    await settle();
    const resources = registered.slice(start);
    assert.ok(resources.some((r) => r.type === "hcloud:index/server:Server"));
    const apply = resources.find((r) => r.name === "openclaw-gateway-secrets-apply");
    assert.ok(apply && isWireSecret(apply.inputs.stdin));
    assert.ok(String(unwrap(apply.inputs.stdin)).includes(TEST_SECRETS.anthropicApiKey));
    assert.strictEqual(await pulumi.isSecret(entry.gatewayToken as pulumi.Output<string>), true);
    assert.strictEqual(entry.agents, undefined);
  });

  it("with clawkit:agents, exports each agent's outputs under its name, and nothing at the top", async function () {
    const entry = runMain(
      { ...baseConfig(), "clawkit:agents": JSON.stringify({ openclaw: {}, work: {} }) },
      [...SECRET_KEYS, "clawkit:agents"],
    );
    const agents = entry.agents as Record<string, Record<string, pulumi.Output<string>>>;
    assert.deepStrictEqual(Object.keys(agents).sort(), ["openclaw", "work"]);
    assert.strictEqual(
      await valueOf(agents.work.tailnetUrl),
      "https://openclaw-dev-work.tail1234.ts.net",
    );
    assert.strictEqual(await pulumi.isSecret(agents.work.gatewayToken), true);
    assert.strictEqual(entry.gatewayToken, undefined);
  });
});
