import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, k, readAgentKeys } from "../core/config";
import { CONFIG_NAMES, dnsLabel, stateBucketName } from "../core/rules";
import { BucketJurisdiction, BucketOnDestroy, MoltworkerAgentArgs } from "./args";
import { MOLTWORKER_DEFAULTS, moltworkerProblems } from "./rules";
import { MoltworkerSettings, moltworkerSettings } from "./settings";

/** The validated configuration of the moltworker shape: the agent's args, and its settings. */
export interface MoltworkerConfig extends MoltworkerSettings {
  readonly target: "moltworker";
  readonly stack: string;
  /** What the stack's keys say, as MoltworkerAgent takes it. */
  readonly args: MoltworkerAgentArgs;
}

/**
 * Reads the moltworker shape's keys into MoltworkerAgent's args and judges them by the
 * same rules the component applies (moltworker/rules.ts), naming each `clawkit:` key;
 * adds what only a stack has: the API token from the provider's key or the environment,
 * and the keys of the vps shape that would do nothing here.
 */
export function parseMoltworkerConfig(r: ConfigReader, stack: string): MoltworkerConfig {
  const { source, problem, list, integer, bool, text } = r;
  const shared = readAgentKeys(r);

  r.providerSecret(
    "cloudflare:apiToken",
    "CLOUDFLARE_API_TOKEN",
    "pulumi config set --secret cloudflare:apiToken <token> (permissions: README, Moltworker quick start)",
  );
  const apiToken = source.get("cloudflare:apiToken") || source.env("CLOUDFLARE_API_TOKEN") || "";

  const names = {
    workerName: dnsLabel("openclaw", stack),
    bucketName: stateBucketName(dnsLabel("openclaw", stack)),
  };
  const args: MoltworkerAgentArgs = {
    ...shared,
    cloudflareAccountId: text("cloudflareAccountId") ?? "",
    cloudflareApiToken: pulumi.secret(apiToken),
    workerName: text("workerName") ?? names.workerName,
    workersSubdomain: text("workersSubdomain"),
    customDomain: text("customDomain"),
    zoneId: text("zoneId"),
    accessEmails: list("accessEmails") ?? [],
    accessSessionDuration: text("accessSessionDuration"),
    accessOneTimePin: bool("accessOneTimePin", false),
    bucketName: text("bucketName") ?? names.bucketName,
    bucketLocation: text("bucketLocation"),
    bucketJurisdiction: text("bucketJurisdiction") as BucketJurisdiction | undefined,
    bucketOnDestroy: text("bucketOnDestroy") as BucketOnDestroy | undefined,
    aiGateway: bool("aiGateway", false),
    aiGatewayRateLimit: integer("aiGatewayRateLimit", MOLTWORKER_DEFAULTS.aiGatewayRateLimit),
    browser: bool("browser", false),
    telegramBotToken: r.secret("telegramBotToken"),
    moltworkerDir: text("moltworkerDir") ?? "",
    moltworkerCommit: text("moltworkerCommit"),
    billingAlertEmail: text("billingAlertEmail"),
    billingAlertRequests: integer("billingAlertRequests", MOLTWORKER_DEFAULTS.billingAlertRequests),
  };

  // The rules judge a secret by whether it is set (a plain-text one is refused above,
  // not reported missing too), the webhook and the API token by their values. The
  // token's key is the provider's, not clawkit's.
  const given = (name: string) => (source.get(k(name)) ? "" : undefined);
  const checkout = args.moltworkerDir ? source.checkout(args.moltworkerDir) : undefined;
  for (const p of moltworkerProblems(
    {
      ...args,
      anthropicApiKey: given("anthropicApiKey"),
      openaiApiKey: given("openaiApiKey"),
      telegramBotToken: given("telegramBotToken"),
      alertWebhook: shared.alertWebhook ? source.get(k("alertWebhook")) : undefined,
      cloudflareApiToken: apiToken,
    },
    CONFIG_NAMES,
    checkout,
  )) {
    r.problems.push(
      p.key === k("cloudflareApiToken")
        ? {
            ...p,
            key: "cloudflare:apiToken",
            fix: "pulumi config set --secret cloudflare:apiToken <token>",
          }
        : p,
    );
  }

  // Channels: moltworker takes a Telegram token and a DM policy, but no allowlist.
  if ((list("telegramAllowFrom") ?? []).length > 0) {
    problem(
      k("telegramAllowFrom"),
      "has no effect on moltworker (it never hands an allowlist to the container); the kit keeps Telegram DMs on pairing, so you approve each sender",
      `pulumi config rm ${k("telegramAllowFrom")}`,
    );
  }
  if ((list("alertTelegramChats") ?? []).length > 0) {
    problem(
      k("alertTelegramChats"),
      "has no effect on moltworker: Cloudflare's notifications cannot post to Telegram, and the bot token lives only in the worker",
      `pulumi config rm ${k("alertTelegramChats")} (and set clawkit:alertWebhook for Cloudflare's alerts)`,
    );
  }

  return {
    ...moltworkerSettings(args, names, checkout),
    target: "moltworker",
    stack,
    args,
  };
}
