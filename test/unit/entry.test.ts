import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, isWireSecret, registered, settle, unwrap, valueOf } from "../support/mocks";
import { baseConfig, SECRET_KEYS, TEST_SECRETS } from "../support/config";

describe("index.ts: the entry point reads Pulumi's own config (mocks)", function () {
  it("builds the vps stack from `pulumi config` values, secrets included", async function () {
    await installMocks();
    pulumi.runtime.setAllConfig(baseConfig(), SECRET_KEYS);
    const start = registered.length;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require("../../program/main");
    await valueOf(entry.sshHostKey as pulumi.Output<string>);
    await settle();
    const resources = registered.slice(start);
    assert.ok(resources.some((r) => r.type === "hcloud:index/server:Server"));
    const apply = resources.find((r) => r.name === "openclaw-gateway-secrets-apply");
    assert.ok(apply && isWireSecret(apply.inputs.stdin));
    assert.ok(String(unwrap(apply.inputs.stdin)).includes(TEST_SECRETS.anthropicApiKey));
    assert.strictEqual(await pulumi.isSecret(entry.gatewayToken as pulumi.Output<string>), true);
  });
});
