import * as assert from "assert";
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  installMocks,
  isWireSecret,
  mockTokenValue,
  optionsByName,
  registered,
  Registered,
  settle,
  unwrap,
  valueOf,
  visibleParts,
} from "../support/mocks";
import {
  BASE_WORKER_SECRET_NAMES,
  moltworkerConfig,
  sourceOf,
  TEST_SECRETS,
} from "../support/config";
import { program } from "../../program/program";
import { MoltworkerAgent } from "../../moltworker/agent";
import { reachesLiveState } from "../../moltworker/storageRules";
import { FORBIDDEN_WORKER_VARS, WORKER_SECRET_NAMES } from "../../moltworker/wrangler-config";

const ACCOUNT = moltworkerConfig()["clawkit:cloudflareAccountId"];
const HOST = "openclaw-dev.example-team.workers.dev";

/** Builds the program for a moltworker config and returns what it registered. */
async function build(
  changes: Record<string, string | undefined> = {},
): Promise<{ resources: Registered[]; outputs: MoltworkerAgent }> {
  const values = moltworkerConfig();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete values[key];
    else values[key] = value;
  }
  const start = registered.length;
  const outputs = program(sourceOf(values), "dev") as MoltworkerAgent;
  await valueOf(outputs.accessServiceTokenSecret);
  await settle();
  return { resources: registered.slice(start), outputs };
}

function all(resources: Registered[], type: string): Registered[] {
  return resources.filter((r) => r.type === type);
}

function only(resources: Registered[], type: string, name?: string): Registered {
  const found = all(resources, type).filter((r) => name === undefined || r.name === name);
  assert.strictEqual(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.length}`);
  return found[0];
}

function plain(r: Registered): Record<string, unknown> {
  return unwrap(r.inputs) as Record<string, unknown>;
}

const COMMAND = "command:local:Command";
const ACCESS_APP = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const ACCESS_POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";

/** The secrets JSON the secrets command hands `wrangler secret bulk`. */
function secretsOf(resources: Registered[]): Record<string, string> {
  const stdin = String(plain(only(resources, COMMAND, "openclaw-worker-secrets-bulk")).stdin);
  return JSON.parse(stdin.split("\n").slice(3).join("\n")) as Record<string, string>;
}

describe("moltworker stack: the resource graph (mocks)", function () {
  let resources: Registered[];
  let outputs: MoltworkerAgent;
  before(async function () {
    await installMocks();
    ({ resources, outputs } = await build());
  });

  it("registers each component with its clawkit type and its children under it", function () {
    for (const type of [
      "clawkit:auth:GatewayToken",
      "clawkit:worker:WorkerStorage",
      "clawkit:worker:WorkerDeploy",
      "clawkit:worker:AccessGate",
      "clawkit:worker:WorkerSecrets",
      "clawkit:worker:BucketGuard",
    ]) {
      only(resources, type);
    }
    for (const [type, name] of [
      ["cloudflare:index/r2Bucket:R2Bucket", "openclaw-storage-bucket"],
      ["cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", "openclaw-storage-lifecycle"],
      ["cloudflare:index/accountToken:AccountToken", "openclaw-storage-token"],
      [COMMAND, "openclaw-worker-wrangler"],
      [ACCESS_APP, "openclaw-access-app"],
      [ACCESS_POLICY, "openclaw-access-people"],
      [ACCESS_POLICY, "openclaw-access-automation"],
      [
        "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken",
        "openclaw-access-automation-token",
      ],
      [COMMAND, "openclaw-worker-secrets-bulk"],
      [COMMAND, "openclaw-bucket-guard-on-destroy"],
    ]) {
      only(resources, type, name);
    }
    assert.strictEqual(all(resources, "cloudflare:index/aiGateway:AiGateway").length, 0);
    assert.strictEqual(
      all(resources, "cloudflare:index/notificationPolicy:NotificationPolicy").length,
      0,
    );
  });

  it("Access covers the whole hostname and lets in the named people and the kit's token, never everyone [M1]", function () {
    const app = plain(only(resources, ACCESS_APP));
    assert.strictEqual(app.domain, HOST);
    assert.deepStrictEqual(app.destinations, [{ type: "public", uri: HOST }]);
    assert.strictEqual(app.type, "self_hosted");
    assert.strictEqual(app.sessionDuration, "24h");
    const people = plain(only(resources, ACCESS_POLICY, "openclaw-access-people"));
    assert.strictEqual(people.decision, "allow");
    assert.deepStrictEqual(people.includes, [
      { email: { email: "alice@example.com" } },
      { email: { email: "bob@example.org" } },
    ]);
    const automation = plain(only(resources, ACCESS_POLICY, "openclaw-access-automation"));
    assert.strictEqual(automation.decision, "non_identity");
    assert.deepStrictEqual(Object.keys((automation.includes as object[])[0]), ["serviceToken"]);
    assert.strictEqual((app.policies as unknown[]).length, 2);
    for (const policy of all(resources, ACCESS_POLICY)) {
      assert.ok(
        !JSON.stringify(plain(policy)).includes("everyone"),
        `${policy.name} lets in everyone`,
      );
      assert.notStrictEqual(plain(policy).decision, "bypass");
    }
    assert.strictEqual(all(resources, ACCESS_APP).length, 1, "no other application, so no bypass");
  });

  it("Access is created after the worker exists, and the secrets after Access [M1]", function () {
    const deploy = optionsByName.get("openclaw-worker-wrangler");
    assert.ok(deploy);
    const accessDeps = optionsByName.get("openclaw-access")?.dependencies ?? [];
    assert.ok(
      accessDeps.some((urn) => urn.endsWith("::openclaw-worker-wrangler")),
      `Access depends on ${accessDeps.join(", ")}`,
    );
    // A dependency on a component reaches the engine as its children.
    const secretsDeps = optionsByName.get("openclaw-worker-secrets")?.dependencies ?? [];
    for (const child of [
      "openclaw-access-app",
      "openclaw-access-automation",
      "openclaw-worker-wrangler",
    ])
      assert.ok(
        secretsDeps.some((urn) => urn.endsWith(`::${child}`)),
        `secrets before ${child}`,
      );
  });

  it("lifecycle aborts stale uploads and never expires objects: the live state is in them [M5]", function () {
    const lifecycle = plain(
      only(resources, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle"),
    );
    const rules = lifecycle.rules as Record<string, unknown>[];
    assert.ok(rules.some((r) => r.abortMultipartUploadsTransition && r.enabled === true));
    for (const rule of rules) {
      const prefix = String((rule.conditions as { prefix: string }).prefix);
      assert.ok(
        !(rule.deleteObjectsTransition && reachesLiveState(prefix)),
        `rule ${String(rule.id)} expires objects under ${prefix || "every prefix"}`,
      );
      assert.strictEqual(rule.storageClassTransitions, undefined);
    }
  });

  it("the bucket token reaches this one bucket, object read/write only [M4]", function () {
    const token = plain(only(resources, "cloudflare:index/accountToken:AccountToken"));
    const policies = token.policies as {
      effect: string;
      permissionGroups: { id: string }[];
      resources: string;
    }[];
    assert.strictEqual(policies.length, 1);
    assert.strictEqual(policies[0].effect, "allow");
    assert.deepStrictEqual(policies[0].permissionGroups.map((g) => g.id).sort(), [
      "r2-item-read",
      "r2-item-write",
    ]);
    assert.deepStrictEqual(JSON.parse(policies[0].resources), {
      [`com.cloudflare.edge.r2.bucket.${ACCOUNT}_default_openclaw-dev-state`]: "*",
    });
  });

  it("the worker gets exactly the secrets moltworker reads, and never a dev or debug switch [M3]", function () {
    const secrets = secretsOf(resources);
    assert.deepStrictEqual(Object.keys(secrets).sort(), BASE_WORKER_SECRET_NAMES);
    for (const name of Object.keys(secrets))
      assert.ok((WORKER_SECRET_NAMES as readonly string[]).includes(name));
    for (const name of FORBIDDEN_WORKER_VARS) assert.ok(!(name in secrets));
    assert.strictEqual(secrets.CF_ACCESS_TEAM_DOMAIN, "example-team.cloudflareaccess.com");
    assert.strictEqual(secrets.ANTHROPIC_API_KEY, TEST_SECRETS.anthropicApiKey);
    assert.strictEqual(secrets.TELEGRAM_DM_POLICY, "pairing");
    assert.strictEqual(secrets.R2_BUCKET_NAME, "openclaw-dev-state");
    assert.strictEqual(secrets.MOLTBOT_GATEWAY_TOKEN.length, 64);
  });

  it("the S3 secret is the SHA-256 of the bucket token's value, the key id its id [M4]", function () {
    const secrets = secretsOf(resources);
    const sha = crypto
      .createHash("sha256")
      .update(mockTokenValue("openclaw-storage-token"))
      .digest("hex");
    assert.strictEqual(secrets.R2_SECRET_ACCESS_KEY, sha);
    assert.match(secrets.R2_ACCESS_KEY_ID, /^[0-9]+$/, "the mocks' id of the token");
  });

  it("no secret in any command line or command environment; secrets travel on stdin, marked secret [M6]", async function () {
    const secrets = secretsOf(resources);
    const values = [
      ...Object.values(TEST_SECRETS),
      secrets.MOLTBOT_GATEWAY_TOKEN,
      secrets.R2_SECRET_ACCESS_KEY,
      await valueOf(outputs.accessServiceTokenSecret),
    ];
    for (const command of all(resources, COMMAND)) {
      const inputs = plain(command);
      const visible = visibleParts(inputs);
      for (const secret of values)
        assert.ok(!visible.includes(secret), `${command.name} shows a secret`);
      if (inputs.stdin !== undefined) {
        assert.ok(isWireSecret(command.inputs.stdin), `${command.name} stdin is not secret`);
        const declared = optionsByName.get(command.name)?.additionalSecretOutputs ?? [];
        for (const output of ["stdout", "stderr", "stdin"])
          assert.ok(declared.includes(output), `${command.name}.${output} is not declared secret`);
      }
    }
    const deployStdin = String(plain(only(resources, COMMAND, "openclaw-worker-wrangler")).stdin);
    assert.strictEqual(deployStdin, `${TEST_SECRETS.cloudflareApiToken}\n`);
  });

  it("a new commit or config redeploys in place: the deploy has an update step, so no replacement runs `wrangler delete` after it", function () {
    const deploy = plain(only(resources, COMMAND, "openclaw-worker-wrangler"));
    assert.ok(Array.isArray(deploy.triggers) && deploy.triggers.length > 0);
    assert.strictEqual(deploy.update, deploy.create);
    assert.match(String(deploy.delete), / delete$/);
  });

  it("the rendered wrangler config: the stack's name and bucket, workers.dev on, previews off, no routes [M1]", function () {
    const env = plain(only(resources, COMMAND, "openclaw-worker-wrangler")).environment as Record<
      string,
      string
    >;
    const config = JSON.parse(env.CLAWKIT_WRANGLER_CONFIG) as Record<string, unknown>;
    assert.strictEqual(config.name, "openclaw-dev");
    assert.deepStrictEqual(config.r2_buckets, [
      { binding: "MOLTBOT_BUCKET", bucket_name: "openclaw-dev-state" },
    ]);
    assert.strictEqual(config.workers_dev, true);
    assert.strictEqual(config.preview_urls, false);
    assert.strictEqual(config.routes, undefined);
    assert.strictEqual(env.CLAWKIT_MOLTWORKER_COMMIT.length, 40);
  });

  it("destroy: a guard runs after the worker is gone and before the bucket; by default it stops [M9]", function () {
    const guard = plain(only(resources, COMMAND, "openclaw-bucket-guard-on-destroy"));
    assert.match(String(guard.delete), /deploy\.sh' bucket-on-destroy$/);
    const env = guard.environment as Record<string, string>;
    assert.strictEqual(env.CLAWKIT_BUCKET_ON_DESTROY, "refuse");
    assert.strictEqual(env.CLAWKIT_R2_ENDPOINT, `https://${ACCOUNT}.r2.cloudflarestorage.com`);
    assert.strictEqual(guard.stdin, undefined, "the guard holds credentials it does not need");
    // Pulumi deletes dependents first: the worker (which depends on the guard), then the
    // guard, then the bucket and its token (which the guard depends on).
    const guardDeps = optionsByName.get("openclaw-bucket-guard")?.dependencies ?? [];
    for (const child of ["openclaw-storage-bucket", "openclaw-storage-token"])
      assert.ok(
        guardDeps.some((urn) => urn.endsWith(`::${child}`)),
        `guard before ${child}`,
      );
    const workerDeps = optionsByName.get("openclaw-worker")?.dependencies ?? [];
    assert.ok(
      workerDeps.some((urn) => urn.endsWith("::openclaw-bucket-guard-on-destroy")),
      "the worker is not deleted before the guard runs",
    );
    assert.strictEqual(optionsByName.get("openclaw-storage-bucket")?.retainOnDelete, false);
  });

  it("outputs: token and service-token secret are secret, the URL is not [M6]", async function () {
    assert.strictEqual(await pulumi.isSecret(outputs.gatewayToken), true);
    assert.strictEqual(await pulumi.isSecret(outputs.accessServiceTokenSecret), true);
    assert.strictEqual(await pulumi.isSecret(outputs.workerUrl), false);
    assert.strictEqual(await valueOf(outputs.workerUrl), `https://${HOST}`);
  });
});

describe("moltworker stack: the choices an operator can make (mocks)", function () {
  before(installMocks);

  it("the AI Gateway: logs on, rate-limited, unauthenticated, and the model key goes through it [M10]", async function () {
    const { resources } = await build({ "clawkit:aiGateway": "true" });
    const gateway = plain(only(resources, "cloudflare:index/aiGateway:AiGateway"));
    assert.strictEqual(gateway.collectLogs, true);
    assert.strictEqual(gateway.authentication, false);
    assert.strictEqual(gateway.rateLimitingLimit, 60);
    assert.strictEqual(gateway.rateLimitingInterval, 60);
    const secrets = secretsOf(resources);
    assert.strictEqual(secrets.CLOUDFLARE_AI_GATEWAY_API_KEY, TEST_SECRETS.anthropicApiKey);
    assert.strictEqual(secrets.CF_AI_GATEWAY_GATEWAY_ID, "openclaw-dev");
    assert.strictEqual(secrets.CF_AI_GATEWAY_ACCOUNT_ID, ACCOUNT);
    assert.strictEqual(secrets.CF_AI_GATEWAY_MODEL, "anthropic/claude-sonnet-4-6");
    assert.strictEqual(
      secrets.ANTHROPIC_API_KEY,
      undefined,
      "the key also went around the gateway",
    );
  });

  it("the browser: only /cdp bypasses Access, with a generated secret the worker checks [M2]", async function () {
    const { resources } = await build({ "clawkit:browser": "true" });
    const apps = all(resources, ACCESS_APP).map(plain);
    assert.deepStrictEqual(apps.map((a) => a.domain).sort(), [HOST, `${HOST}/cdp`]);
    const bypass = plain(only(resources, ACCESS_POLICY, "openclaw-access-cdp-bypass"));
    assert.strictEqual(bypass.decision, "bypass");
    const cdpApp = apps.find((a) => a.domain === `${HOST}/cdp`)!;
    assert.strictEqual((cdpApp.policies as unknown[]).length, 1);
    for (const policy of all(resources, ACCESS_POLICY).filter(
      (p) => p.name !== "openclaw-access-cdp-bypass",
    ))
      assert.notStrictEqual(plain(policy).decision, "bypass");
    const secrets = secretsOf(resources);
    assert.strictEqual(secrets.CDP_SECRET.length, 48);
    assert.strictEqual(secrets.WORKER_URL, `https://${HOST}`);
  });

  it("a custom domain: Access on it before the domain is attached, workers.dev off [M1]", async function () {
    const { resources } = await build({
      "clawkit:workersSubdomain": undefined,
      "clawkit:customDomain": "agent.example.com",
      "clawkit:zoneId": "f".repeat(32),
    });
    assert.strictEqual(plain(only(resources, ACCESS_APP)).domain, "agent.example.com");
    const domain = plain(
      only(resources, "cloudflare:index/workersCustomDomain:WorkersCustomDomain"),
    );
    assert.strictEqual(domain.hostname, "agent.example.com");
    assert.strictEqual(domain.zoneId, "f".repeat(32));
    assert.strictEqual(domain.service, "openclaw-dev");
    const env = plain(only(resources, COMMAND, "openclaw-worker-wrangler")).environment as Record<
      string,
      string
    >;
    assert.strictEqual(JSON.parse(env.CLAWKIT_WRANGLER_CONFIG).workers_dev, false);
    const domainDeps = optionsByName.get("openclaw-worker-domain")?.dependencies ?? [];
    for (const child of [
      "openclaw-access-app",
      "openclaw-access-people",
      "openclaw-worker-wrangler",
    ])
      assert.ok(
        domainDeps.some((urn) => urn.endsWith(`::${child}`)),
        `domain before ${child}`,
      );
  });

  it("a one-time PIN login: its own identity provider, the only one the application allows [M1]", async function () {
    const { resources } = await build({ "clawkit:accessOneTimePin": "true" });
    const idp = plain(
      only(
        resources,
        "cloudflare:index/zeroTrustAccessIdentityProvider:ZeroTrustAccessIdentityProvider",
      ),
    );
    assert.strictEqual(idp.type, "onetimepin");
    assert.strictEqual((plain(only(resources, ACCESS_APP)).allowedIdps as unknown[]).length, 1);
  });

  it("keeping the bucket: retained on destroy, and the guard lets destroy go on [M9]", async function () {
    const { resources } = await build({ "clawkit:bucketOnDestroy": "keep" });
    assert.strictEqual(optionsByName.get("openclaw-storage-bucket")?.retainOnDelete, true);
    const guard = plain(only(resources, COMMAND, "openclaw-bucket-guard-on-destroy"));
    assert.strictEqual(
      (guard.environment as Record<string, string>).CLAWKIT_BUCKET_ON_DESTROY,
      "keep",
    );
  });

  it("exporting the bucket: the guard gets its S3 credentials on stdin, as a secret [M9]", async function () {
    const { resources } = await build({ "clawkit:bucketOnDestroy": "export" });
    const guard = only(resources, COMMAND, "openclaw-bucket-guard-on-destroy");
    assert.ok(isWireSecret(guard.inputs.stdin));
    const credentials = JSON.parse(String(plain(guard).stdin)) as Record<string, string>;
    const secrets = secretsOf(resources);
    assert.deepStrictEqual(credentials, {
      accessKeyId: secrets.R2_ACCESS_KEY_ID,
      secretAccessKey: secrets.R2_SECRET_ACCESS_KEY,
    });
    assert.ok(!visibleParts(plain(guard)).includes(secrets.R2_SECRET_ACCESS_KEY));
    assert.strictEqual(optionsByName.get("openclaw-storage-bucket")?.retainOnDelete, false);
  });

  it("a billing alert by email when asked [M10]", async function () {
    const { resources } = await build({ "clawkit:billingAlertEmail": "ops@example.com" });
    const alert = plain(only(resources, "cloudflare:index/notificationPolicy:NotificationPolicy"));
    assert.strictEqual(alert.alertType, "billing_usage_alert");
    assert.deepStrictEqual(alert.mechanisms, { emails: [{ id: "ops@example.com" }] });
    assert.deepStrictEqual((alert.filters as Record<string, unknown>).limits, ["1000000"]);
  });

  it("lockdown: no person gets past Access, the kit's token still does; only the people policy and the lockdown command change [M11]", async function () {
    const open = await build();
    const locked = await build({ "clawkit:lockdown": "true" });
    // Provider resources only: a component's own arguments reach no provider.
    const byKey = (resources: Registered[]) =>
      new Map(
        resources
          .filter((r) => !r.type.startsWith("clawkit:"))
          .map((r) => [`${r.type}::${r.name}`, plain(r)]),
      );
    const before = byKey(open.resources);
    const after = byKey(locked.resources);
    // The same resources (nothing created, nothing deleted or replaced by a new name) ...
    assert.deepStrictEqual([...after.keys()].sort(), [...before.keys()].sort());
    // ... with the same inputs, but for the two that carry the lockdown.
    const changed = [...after.keys()].filter(
      (key) => JSON.stringify(after.get(key)) !== JSON.stringify(before.get(key)),
    );
    assert.deepStrictEqual(changed.sort(), [
      `${ACCESS_POLICY}::openclaw-access-people`,
      `${COMMAND}::openclaw-lockdown-switch`,
    ]);

    const people = plain(only(locked.resources, ACCESS_POLICY, "openclaw-access-people"));
    assert.strictEqual(people.decision, "deny");
    assert.deepStrictEqual(
      people.includes,
      plain(only(open.resources, ACCESS_POLICY, "openclaw-access-people")).includes,
    );
    const allowing = all(locked.resources, ACCESS_POLICY)
      .map(plain)
      .filter((p) => p.decision === "allow" || p.decision === "bypass");
    assert.deepStrictEqual(allowing, [], "a policy still lets a person in");
    const automation = plain(only(locked.resources, ACCESS_POLICY, "openclaw-access-automation"));
    assert.strictEqual(automation.decision, "non_identity");
    assert.deepStrictEqual(
      (plain(only(locked.resources, ACCESS_APP)).policies as unknown[]).length,
      2,
      "the service token's policy left the application",
    );

    const env = (r: Registered[]) =>
      plain(only(r, COMMAND, "openclaw-lockdown-switch")).environment as Record<string, string>;
    assert.strictEqual(env(open.resources).CLAWKIT_LOCKDOWN, "off");
    assert.strictEqual(env(locked.resources).CLAWKIT_LOCKDOWN, "on");
    assert.strictEqual(env(locked.resources).CLAWKIT_WORKER_URL, `https://${HOST}`);
    const stdin = String(
      plain(only(locked.resources, COMMAND, "openclaw-lockdown-switch")).stdin,
    ).split("\n");
    assert.deepStrictEqual(stdin.slice(0, 3), [
      TEST_SECRETS.cloudflareApiToken,
      await valueOf(locked.outputs.accessServiceTokenId),
      await valueOf(locked.outputs.accessServiceTokenSecret),
    ]);
    // The switch runs after the policy changed and after the secrets step.
    const deps = optionsByName.get("openclaw-lockdown")?.dependencies ?? [];
    for (const child of ["openclaw-access-people", "openclaw-worker-secrets-bulk"])
      assert.ok(
        deps.some((urn) => urn.endsWith(`::${child}`)),
        `lockdown before ${child}`,
      );
  });

  it("the exposure check runs on every pulumi up after the secrets step and the lockdown, the service token on stdin only [M12]", async function () {
    const { resources, outputs } = await build();
    const probe = only(resources, COMMAND, "openclaw-exposure-check-probe");
    const inputs = plain(probe);
    assert.match(String(inputs.create), /exposure-check\.sh'$/);
    const env = inputs.environment as Record<string, string>;
    assert.deepStrictEqual(Object.keys(env).sort(), ["CLAWKIT_CHECK_RUN", "CLAWKIT_WORKER_URL"]);
    assert.strictEqual(env.CLAWKIT_WORKER_URL, `https://${HOST}`);
    // An input that differs on every run re-runs the command in place (not a trigger,
    // which would replace it).
    assert.ok(!Number.isNaN(Date.parse(env.CLAWKIT_CHECK_RUN)), env.CLAWKIT_CHECK_RUN);
    assert.strictEqual(inputs.triggers, undefined);
    assert.ok(isWireSecret(probe.inputs.stdin));
    assert.strictEqual(
      inputs.stdin,
      `${await valueOf(outputs.accessServiceTokenId)}\n${await valueOf(outputs.accessServiceTokenSecret)}\n`,
    );
    // After the lockdown switch, which comes after the secrets step.
    const deps = optionsByName.get("openclaw-exposure-check")?.dependencies ?? [];
    assert.ok(
      deps.some((urn) => urn.endsWith("::openclaw-lockdown-switch")),
      deps.join(", "),
    );
  });

  it("an alert webhook: the billing alert goes to it too, by its own destination, the URL kept secret [M10]", async function () {
    const { resources } = await build({
      "clawkit:billingAlertEmail": "ops@example.com",
      "clawkit:alertWebhook": TEST_SECRETS.alertWebhook,
    });
    const WEBHOOKS = "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks";
    const webhook = only(resources, WEBHOOKS, "openclaw-alert-webhook");
    assert.ok(isWireSecret(webhook.inputs.url), "the webhook URL is not a secret input");
    assert.strictEqual(plain(webhook).url, TEST_SECRETS.alertWebhook);
    assert.ok(optionsByName.get("openclaw-alert-webhook")?.additionalSecretOutputs.includes("url"));
    assert.ok(!JSON.stringify(plain(webhook).name).includes("ntfy"));
    const alert = plain(only(resources, "cloudflare:index/notificationPolicy:NotificationPolicy"));
    const mechanisms = alert.mechanisms as { emails: unknown[]; webhooks: { id: string }[] };
    assert.deepStrictEqual(mechanisms.emails, [{ id: "ops@example.com" }]);
    assert.strictEqual(mechanisms.webhooks.length, 1);
    assert.match(mechanisms.webhooks[0].id, /^[0-9]+$/, "the webhook destination's id");
    for (const command of all(resources, COMMAND))
      assert.ok(!JSON.stringify(plain(command)).includes(TEST_SECRETS.alertWebhook));

    // The webhook alone is enough for the alert.
    const alone = await build({ "clawkit:alertWebhook": TEST_SECRETS.alertWebhook });
    const onlyWebhook = plain(
      only(alone.resources, "cloudflare:index/notificationPolicy:NotificationPolicy"),
    );
    assert.deepStrictEqual(Object.keys(onlyWebhook.mechanisms as object), ["webhooks"]);
  });

  it("a token rotation changes the secrets pushed (and so restarts the gateway), nothing else [M7, M13]", async function () {
    const before = await build();
    const after = await build({ "clawkit:tokenRotation": "2026-11-22" });
    const a = secretsOf(before.resources);
    const b = secretsOf(after.resources);
    assert.notStrictEqual(a.MOLTBOT_GATEWAY_TOKEN, b.MOLTBOT_GATEWAY_TOKEN);
    assert.deepStrictEqual(
      { ...a, MOLTBOT_GATEWAY_TOKEN: "" },
      { ...b, MOLTBOT_GATEWAY_TOKEN: "" },
    );
    for (const name of ["openclaw-worker-wrangler", "openclaw-bucket-guard-on-destroy"]) {
      assert.deepStrictEqual(
        plain(only(after.resources, COMMAND, name)),
        plain(only(before.resources, COMMAND, name)),
        `${name} changed`,
      );
    }
    assert.deepStrictEqual(
      plain(only(after.resources, ACCESS_APP)),
      plain(only(before.resources, ACCESS_APP)),
    );
  });
});
