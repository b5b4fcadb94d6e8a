import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { ConfigError } from "../../core/config";
import { parseConfig } from "../../program/stackConfig";
import { fixtureCheckout, SECRET_KEYS, sourceOf, TEST_SECRETS } from "../support/config";
import { ROOT } from "../support/tools";
import { MOLTWORKER_COMMIT } from "../../moltworker/rules";

/** The example stack files, with the secrets their comments tell the operator to set. */
const EXAMPLES: [string, Record<string, string>][] = [
  [
    "Pulumi.dev.yaml",
    {
      "clawkit:anthropicApiKey": TEST_SECRETS.anthropicApiKey,
      "hcloud:token": TEST_SECRETS.hcloudToken,
      "tailscale:apiKey": TEST_SECRETS.tailscaleApiKey,
    },
  ],
  ["Pulumi.example-host.yaml", { "clawkit:anthropicApiKey": TEST_SECRETS.anthropicApiKey }],
  [
    "Pulumi.example-moltworker.yaml",
    {
      "clawkit:anthropicApiKey": TEST_SECRETS.anthropicApiKey,
      "cloudflare:apiToken": TEST_SECRETS.cloudflareApiToken,
    },
  ],
];

describe("examples: each example stack file plus the secrets it names is a valid configuration", function () {
  for (const [file, secrets] of EXAMPLES) {
    it(file, function () {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const config = (yaml.load(text) as { config: Record<string, unknown> }).config;
      const values: Record<string, string> = { ...secrets };
      for (const [key, value] of Object.entries(config))
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
      for (const key of Object.keys(secrets))
        assert.ok(text.includes(`--secret ${key}`), `${file} does not tell how to set ${key}`);
      const dir = values["clawkit:moltworkerDir"];
      const source = sourceOf(
        values,
        SECRET_KEYS,
        {},
        // The example pins nothing: the checkout is at the commit clawkit pins by default.
        dir ? { [dir]: fixtureCheckout({ dir, head: MOLTWORKER_COMMIT }) } : {},
      );
      try {
        parseConfig(source, "example");
      } catch (e) {
        assert.fail(e instanceof ConfigError ? e.message : String(e));
      }
    });
  }
});
