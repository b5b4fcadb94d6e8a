import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MoltworkerAgent, MoltworkerAgentArgs, VpsAgent, VpsAgentArgs } from "../../index";
import { FIXTURE_CHECKOUT_DIR, FIXTURE_COMMIT, TEST_SECRETS } from "../support/config";
import { installMocks, registrations, settle, valueOf } from "../support/mocks";
import { agentSettings } from "../../core/settings";

/** A complete, valid VpsAgent's args; cases override them. */
const VPS_ARGS: VpsAgentArgs = {
  anthropicApiKey: TEST_SECRETS.anthropicApiKey,
  telegramBotToken: TEST_SECRETS.telegramBotToken,
  telegramAllowFrom: ["123456789"],
};

/** A complete, valid MoltworkerAgent's args; cases override them. */
const MOLTWORKER_ARGS: MoltworkerAgentArgs = {
  anthropicApiKey: TEST_SECRETS.anthropicApiKey,
  cloudflareAccountId: "0123456789abcdef0123456789abcdef",
  cloudflareApiToken: TEST_SECRETS.cloudflareApiToken,
  workersSubdomain: "example-team",
  accessEmails: ["alice@example.com"],
  moltworkerDir: FIXTURE_CHECKOUT_DIR,
  moltworkerCommit: FIXTURE_COMMIT,
};

/** Args as a program in another language may send them: any value, any type. */
type LooseArgs = Record<string, unknown>;

/** The error a component's constructor throws, and how many resources it registered first. */
async function refusal(build: () => unknown): Promise<{ error: Error; registeredFirst: number }> {
  const start = registrations.length;
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  await settle();
  assert.ok(error instanceof Error, "the component accepted its args");
  return { error, registeredFirst: registrations.length - start };
}

/** Asserts a component refused its args with a ResourceError naming the field, and registered nothing. */
async function assertRefused(build: () => unknown, field: string, pattern: RegExp): Promise<void> {
  const { error, registeredFirst } = await refusal(build);
  assert.ok(error instanceof pulumi.ResourceError, String(error));
  assert.match(error.message, new RegExp(`  - ${field}: `));
  assert.match(error.message, pattern);
  assert.match(error.message, /\n    fix: \S/);
  assert.strictEqual(registeredFirst, 0, "something was registered before the refusal");
}

describe("components: bad args fail with a ResourceError naming the arg and the fix, before anything registers (mocks) [A1, A2, S5, M1]", function () {
  before(installMocks);

  const vpsCases: [string, LooseArgs, string, RegExp][] = [
    ["no model key", { anthropicApiKey: undefined }, "anthropicApiKey", /no model credential/],
    ["model without its key", { model: "openai/gpt-5" }, "model", /needs openaiApiKey/],
    ["malformed model", { model: "claude" }, "model", /anthropic\/<model>/],
    ["port out of range", { gatewayPort: 70000 }, "gatewayPort", /whole number from 1024/],
    ["port taken by the proxy", { gatewayPort: 3128 }, "gatewayPort", /taken on the host/],
    ["port taken by the alert relay", { gatewayPort: 3131 }, "gatewayPort", /taken on the host/],
    [
      "telegram without allowlist",
      { telegramAllowFrom: [] },
      "telegramAllowFrom",
      /required when telegramBotToken/,
    ],
    [
      "telegram username",
      { telegramAllowFrom: ["@someone"] },
      "telegramAllowFrom",
      /numeric Telegram user id/,
    ],
    [
      "allowlist without a bot",
      { telegramBotToken: undefined },
      "telegramAllowFrom",
      /telegramBotToken is not/,
    ],
    [
      "alert chat by name",
      { alertTelegramChats: ["@ops"] },
      "alertTelegramChats",
      /numeric Telegram chat id/,
    ],
    ["exec full", { execSecurity: "full" }, "execSecurity", /refuses it/],
    ["exec shell", { execAllowlist: ["bash"] }, "execAllowlist", /start any other program/],
    [
      "exec versioned interpreter",
      { execAllowlist: ["/usr/bin/python3.11"] },
      "execAllowlist",
      /start any other program/,
    ],
    ["exec printenv", { execAllowlist: ["printenv"] }, "execAllowlist", /prints the environment/],
    ["exec shell syntax", { execAllowlist: ["date;id"] }, "execAllowlist", /plain program name/],
    [
      "skill that installs skills",
      { bundledSkills: ["clawhub"] },
      "bundledSkills",
      /fetches or writes skills/,
    ],
    ["egress wildcard everything", { egressAllowlist: ["*"] }, "egressAllowlist", /bare "\*"/],
    [
      "egress to a model provider",
      { egressAllowlist: ["*.anthropic.com"] },
      "egressAllowlist",
      /credential gateway/,
    ],
    [
      "egress to Telegram",
      { egressAllowlist: ["api.telegram.org"] },
      "egressAllowlist",
      /credential gateway/,
    ],
    ["no tailnet tag", { tailnetTags: [] }, "tailnetTags", /at least one tag/],
    ["tag without prefix", { tailnetTags: ["openclaw"] }, "tailnetTags", /must start with "tag:"/],
    ["hostname not a label", { hostname: "Open_Claw" }, "hostname", /DNS label/],
    ["unknown server type", { serverType: "huge" }, "serverType", /Hetzner server type/],
    ["unknown location", { location: "mars1" }, "location", /is not one of/],
    ["not Debian 12", { image: "ubuntu-24.04" }, "image", /Debian 12/],
    ["volume too small", { volumeSizeGb: 5 }, "volumeSizeGb", /whole number from 10/],
    ["admin is root", { adminUser: "root" }, "adminUser", /usable login name/],
    ["not an SSH key", { adminSshKeys: ["hunter2"] }, "adminSshKeys", /OpenSSH public key/],
    ["webhook in clear", { alertWebhook: "http://ntfy.sh/topic" }, "alertWebhook", /https/],
  ];

  for (const [title, change, field, pattern] of vpsCases) {
    it(`VpsAgent, ${title}: names ${field}`, async function () {
      await assertRefused(
        () => new VpsAgent("a", { ...VPS_ARGS, ...change } as VpsAgentArgs),
        field,
        pattern,
      );
    });
  }

  const moltworkerCases: [string, LooseArgs, string, RegExp][] = [
    ["no account", { cloudflareAccountId: "" }, "cloudflareAccountId", /is required/],
    ["account not hex", { cloudflareAccountId: "my-account" }, "cloudflareAccountId", /32 hex/],
    [
      "token with a newline",
      { cloudflareApiToken: "abc\ndef" },
      "cloudflareApiToken",
      /line breaks/,
    ],
    ["nobody let in", { accessEmails: [] }, "accessEmails", /is required/],
    ["everyone let in", { accessEmails: ["*@example.com"] }, "accessEmails", /wildcards/],
    [
      "two hostnames",
      { customDomain: "agent.example.com", zoneId: "0".repeat(32) },
      "customDomain",
      /one hostname/,
    ],
    [
      "custom domain without zone",
      { workersSubdomain: undefined, customDomain: "agent.example.com" },
      "zoneId",
      /is required with customDomain/,
    ],
    ["no hostname at all", { workersSubdomain: undefined }, "workersSubdomain", /is required/],
    [
      "session too long",
      { accessSessionDuration: "1000h" },
      "accessSessionDuration",
      /at most 720h/,
    ],
    ["worker name", { workerName: "Open Claw" }, "workerName", /worker name/],
    ["bucket name", { bucketName: "x" }, "bucketName", /R2 bucket name/],
    ["bucket location", { bucketLocation: "mars" }, "bucketLocation", /is not one of/],
    ["bucket jurisdiction", { bucketJurisdiction: "moon" }, "bucketJurisdiction", /is not one of/],
    [
      "bucket on destroy",
      { bucketOnDestroy: "drop" },
      "bucketOnDestroy",
      /"refuse", "keep" or "export"/,
    ],
    ["rate limit", { aiGatewayRateLimit: 0 }, "aiGatewayRateLimit", /whole number/],
    [
      "billing email",
      { billingAlertEmail: "not-an-address" },
      "billingAlertEmail",
      /email address/,
    ],
    [
      "no checkout",
      { moltworkerDir: "/nonexistent/moltworker" },
      "moltworkerDir",
      /does not exist/,
    ],
    ["commit not a commit", { moltworkerCommit: "main" }, "moltworkerCommit", /40-digit/],
    [
      "checkout elsewhere",
      { moltworkerCommit: "f".repeat(40) },
      "moltworkerCommit",
      /not the pinned/,
    ],
  ];

  for (const [title, change, field, pattern] of moltworkerCases) {
    it(`MoltworkerAgent, ${title}: names ${field}`, async function () {
      await assertRefused(
        () => new MoltworkerAgent("a", { ...MOLTWORKER_ARGS, ...change } as MoltworkerAgentArgs),
        field,
        pattern,
      );
    });
  }

  it("a plain arg sent as an Output (a secret, or another resource's output, as another language may) is named, not crashed on", async function () {
    for (const [change, field] of [
      [{ telegramAllowFrom: pulumi.secret(["123456789"]) }, "telegramAllowFrom"],
      [{ execAllowlist: [pulumi.output("date")] }, "execAllowlist"],
      [{ gatewayPort: pulumi.output(18789) }, "gatewayPort"],
    ] as const) {
      const { error, registeredFirst } = await refusal(
        () => new VpsAgent("a", { ...VPS_ARGS, ...change } as unknown as VpsAgentArgs),
      );
      assert.ok(error instanceof pulumi.ResourceError, String(error));
      assert.match(
        error.message,
        new RegExp(`  - ${field}: must be known before anything is created`),
      );
      assert.strictEqual(registeredFirst, 0);
    }
    const { error } = await refusal(
      () =>
        new MoltworkerAgent("a", {
          ...MOLTWORKER_ARGS,
          accessEmails: pulumi.secret(["alice@example.com"]),
        } as unknown as MoltworkerAgentArgs),
    );
    assert.match(error.message, /  - accessEmails: must be known before anything is created/);
  });

  it("the secret args take Outputs: keys from config or another resource", async function () {
    const start = registrations.length;
    new VpsAgent("from-outputs", {
      ...VPS_ARGS,
      anthropicApiKey: pulumi.secret(pulumi.output(TEST_SECRETS.anthropicApiKey)),
      telegramBotToken: pulumi.output(TEST_SECRETS.telegramBotToken),
      alertWebhook: pulumi.secret(TEST_SECRETS.alertWebhook),
    });
    await settle();
    assert.ok(registrations.length - start >= 10);
  });

  it("a webhook given as an Output is held to the same rule once its value is known, naming the arg, never the URL [W9]", async function () {
    const { alertWebhook } = agentSettings({
      anthropicApiKey: TEST_SECRETS.anthropicApiKey,
      alertWebhook: pulumi.secret(pulumi.output("http://user:SECRETPART@ntfy.sh/topic")),
    });
    assert.ok(alertWebhook);
    // The value an Output settles to, or its failure (the SDK's own promise).
    const settled = (alertWebhook as unknown as { promise(): Promise<string> }).promise();
    await assert.rejects(settled, (e: Error) => {
      assert.match(e.message, /^alertWebhook: must be an https:\/\/ URL/);
      assert.ok(!e.message.includes("SECRETPART"));
      return true;
    });
    const good = agentSettings({
      alertWebhook: pulumi.output("https://ntfy.sh/topic"),
    }).alertWebhook;
    assert.strictEqual(await valueOf(good!), "https://ntfy.sh/topic");
  });

  it("every problem at once, and never a secret's value", async function () {
    const { error } = await refusal(
      () =>
        new VpsAgent("a", {
          ...VPS_ARGS,
          gatewayPort: 1,
          location: "x",
          alertWebhook: "http://user:SECRETPART@ntfy.sh/topic",
        }),
    );
    for (const field of ["gatewayPort", "location", "alertWebhook"])
      assert.match(error.message, new RegExp(`  - ${field}: `));
    assert.ok(!error.message.includes("SECRETPART"));
    assert.ok(!error.message.includes(TEST_SECRETS.anthropicApiKey));
  });

  it("good args register the component under its library type, and its children under it", async function () {
    const start = registrations.length;
    const agent = new VpsAgent("good", VPS_ARGS);
    await settle();
    const mine = registrations.slice(start);
    assert.ok(mine.some((r) => r.urn.endsWith("::clawkit:index:VpsAgent::good")));
    const children = mine.filter((r) => r.urn.includes("clawkit:index:VpsAgent$"));
    assert.ok(children.length >= 8);
    for (const child of children) assert.match(child.urn.split("::")[3], /^good-/);
    assert.strictEqual(await pulumi.isSecret(agent.gatewayToken), true);
  });
});
