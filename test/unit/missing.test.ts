import * as assert from "assert";
import { missingSettings } from "../../program/missing";
import { SECRET_KEYS, sourceOf } from "../support/config";

/** The keys a first run would ask for, for a stack's config and environment. */
const asked = (values: Record<string, string>, env: Record<string, string> = {}) =>
  missingSettings(sourceOf(values, SECRET_KEYS, env), "dev").map(
    (m) => `${m.key}${m.secret ? " (secret)" : ""}`,
  );

describe("first run: the settings a stack lacks, judged by the program's own parser [W2]", function () {
  it("an empty stack: only the target, which decides the rest", function () {
    assert.deepStrictEqual(asked({}), ["clawkit:target"]);
  });

  it("vps: a model key, the Hetzner token, a Tailscale key and the tailnet", function () {
    assert.deepStrictEqual(asked({ "clawkit:target": "vps" }), [
      "clawkit:anthropicApiKey (secret)",
      "hcloud:token (secret)",
      "tailscale:apiKey (secret)",
      "tailscale:tailnet",
    ]);
  });

  it("moltworker: the account, the hostname, who Access lets in, the checkout, the API token", function () {
    assert.deepStrictEqual(asked({ "clawkit:target": "moltworker" }).sort(), [
      "clawkit:accessEmails",
      "clawkit:anthropicApiKey (secret)",
      "clawkit:cloudflareAccountId",
      "clawkit:moltworkerDir",
      "clawkit:workersSubdomain",
      "cloudflare:apiToken (secret)",
    ]);
  });

  it("a credential in the environment is not asked for; a wrong value is not missing (pulumi up reports it)", function () {
    assert.deepStrictEqual(
      asked(
        { "clawkit:target": "vps", "clawkit:anthropicApiKey": "x", "clawkit:gatewayPort": "http" },
        { HCLOUD_TOKEN: "x", TAILSCALE_API_KEY: "y", TAILSCALE_TAILNET: "z" },
      ),
      [],
    );
  });
});
