import { AgentSettings, agentSettings, SecretValue, secretOf } from "../core/settings";
import { BucketJurisdiction, BucketOnDestroy, MoltworkerAgentArgs } from "./args";
import { Checkout } from "./checkout";
import { MOLTWORKER_COMMIT, MOLTWORKER_DEFAULTS } from "./rules";

/** One agent's moltworker settings with every default filled in: what MoltworkerAgent builds from. */
export interface MoltworkerSettings extends AgentSettings {
  /** The Cloudflare account everything lands in. */
  readonly accountId: string;
  /** The API token Pulumi and wrangler act with (secret). */
  readonly cloudflareApiToken: SecretValue;
  readonly workerName: string;
  /** Where the worker answers: its workers.dev name, or a custom domain in a zone. */
  readonly host:
    | { readonly kind: "workers.dev"; readonly subdomain: string; readonly hostname: string }
    | { readonly kind: "custom"; readonly zoneId: string; readonly hostname: string };
  readonly accessEmails: readonly string[];
  readonly accessSessionDuration: string;
  readonly accessOneTimePin: boolean;
  readonly bucketName: string;
  readonly bucketLocation?: string;
  readonly bucketJurisdiction: BucketJurisdiction;
  readonly aiGateway: boolean;
  readonly aiGatewayRateLimit: number;
  readonly browser: boolean;
  readonly telegramBotToken?: SecretValue;
  /** The moltworker checkout: absolute path, its wrangler.jsonc text, its commit. */
  readonly moltworker: {
    readonly dir: string;
    readonly wranglerConfig: string;
    /** The commit deploys are pinned to, or undefined when the operator unpinned it. */
    readonly commit?: string;
  };
  /** What `pulumi destroy` does with a bucket that may hold the agent's state. */
  readonly bucketOnDestroy: BucketOnDestroy;
  /** Cloudflare's usage alert: by email, and to the alert webhook when that is set. */
  readonly billingAlert?: { readonly email?: string; readonly requests: number };
}

/** Fills in every default of args the moltworker rules have accepted. */
export function moltworkerSettings(
  args: MoltworkerAgentArgs,
  defaults: { readonly workerName: string; readonly bucketName: string },
  checkout: Checkout | undefined,
): MoltworkerSettings {
  const workerName = args.workerName ?? defaults.workerName;
  const customDomain = (args.customDomain ?? "").toLowerCase();
  const subdomain = args.workersSubdomain ?? "";
  const pinned = args.moltworkerCommit ?? MOLTWORKER_COMMIT;
  const alertEmail = (args.billingAlertEmail ?? "").toLowerCase();
  const shared = agentSettings(args);
  return {
    ...shared,
    accountId: args.cloudflareAccountId,
    cloudflareApiToken: secretOf(args.cloudflareApiToken) as SecretValue,
    workerName,
    host:
      customDomain !== ""
        ? { kind: "custom", zoneId: args.zoneId ?? "", hostname: customDomain }
        : {
            kind: "workers.dev",
            subdomain,
            hostname: `${workerName}.${subdomain}.workers.dev`,
          },
    accessEmails: (args.accessEmails ?? []).map((e) => e.toLowerCase()),
    accessSessionDuration: args.accessSessionDuration ?? MOLTWORKER_DEFAULTS.accessSessionDuration,
    accessOneTimePin: args.accessOneTimePin ?? false,
    bucketName: args.bucketName ?? defaults.bucketName,
    bucketLocation: args.bucketLocation ? args.bucketLocation.toLowerCase() : undefined,
    bucketJurisdiction: args.bucketJurisdiction ?? MOLTWORKER_DEFAULTS.bucketJurisdiction,
    aiGateway: args.aiGateway ?? false,
    aiGatewayRateLimit: args.aiGatewayRateLimit ?? MOLTWORKER_DEFAULTS.aiGatewayRateLimit,
    browser: args.browser ?? false,
    telegramBotToken: secretOf(args.telegramBotToken),
    moltworker: {
      dir: checkout?.dir ?? args.moltworkerDir,
      wranglerConfig: checkout?.wranglerConfig ?? "",
      commit: pinned === "unpinned" ? undefined : pinned,
    },
    bucketOnDestroy: args.bucketOnDestroy ?? MOLTWORKER_DEFAULTS.bucketOnDestroy,
    billingAlert:
      alertEmail || shared.alertWebhook
        ? {
            email: alertEmail || undefined,
            requests: args.billingAlertRequests ?? MOLTWORKER_DEFAULTS.billingAlertRequests,
          }
        : undefined,
  };
}
