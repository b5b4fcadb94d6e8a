import * as pulumi from "@pulumi/pulumi";
import { AGENT_INPUT_ARGS, AgentArgs } from "../core/args";

/** What `pulumi destroy` does with the bucket that may hold the agent's state. */
export const BucketOnDestroy = {
  /** Destroy stops before the bucket is touched. */
  Refuse: "refuse",
  /** The bucket is left in the account. */
  Keep: "keep",
  /** Every object is downloaded to exports/, then the bucket is emptied and deleted. */
  Export: "export",
} as const;
/** What `pulumi destroy` does with the bucket that may hold the agent's state. */
export type BucketOnDestroy = (typeof BucketOnDestroy)[keyof typeof BucketOnDestroy];

/** The R2 jurisdiction the bucket's data stays in. */
export const BucketJurisdiction = {
  /** No jurisdiction. */
  Default: "default",
  /** The European Union. */
  Eu: "eu",
  /** FedRAMP. */
  Fedramp: "fedramp",
} as const;
/** The R2 jurisdiction the bucket's data stays in. */
export type BucketJurisdiction = (typeof BucketJurisdiction)[keyof typeof BucketJurisdiction];

/**
 * The settings of one agent on Cloudflare's Moltworker behind Zero Trust Access.
 * Every field is checked by the same rules as its `clawkit:` config key.
 */
export interface MoltworkerAgentArgs extends AgentArgs {
  /** The Cloudflare account, 32 hex digits. Required. */
  readonly cloudflareAccountId: string;
  /** The API token Pulumi's provider and wrangler act with (secret). Required. */
  readonly cloudflareApiToken: pulumi.Input<string>;
  /** The worker's name. Default: openclaw-<stack>-<name>. */
  readonly workerName?: string;
  /** Your account's workers.dev subdomain; or give customDomain and zoneId. */
  readonly workersSubdomain?: string;
  /** A hostname in one of your zones instead of workers.dev. Default: none. */
  readonly customDomain?: string;
  /** The zone of customDomain. */
  readonly zoneId?: string;
  /** Email addresses Cloudflare Access lets in (no wildcards). Required. */
  readonly accessEmails: string[];
  /** How long an Access login lasts, at most 720h. Default: "24h". */
  readonly accessSessionDuration?: string;
  /** Create a one-time-PIN login and allow only it. Default: false. */
  readonly accessOneTimePin?: boolean;
  /** The R2 bucket for the agent's state. Default: <workerName>-state. */
  readonly bucketName?: string;
  /** R2 location hint: apac, eeur, enam, weur, wnam or oc. Default: Cloudflare's choice. */
  readonly bucketLocation?: string;
  /** R2 jurisdiction. Default: "default". */
  readonly bucketJurisdiction?: BucketJurisdiction;
  /** What `pulumi destroy` does with the bucket. Default: "refuse". */
  readonly bucketOnDestroy?: BucketOnDestroy;
  /** Send model traffic through a Cloudflare AI Gateway. Default: false. */
  readonly aiGateway?: boolean;
  /** AI Gateway requests per minute. Default: 60. */
  readonly aiGatewayRateLimit?: number;
  /** moltworker's browser route, past Access with its own secret. Default: false. */
  readonly browser?: boolean;
  /** Telegram bot token (secret); Telegram DMs stay on pairing. Default: no Telegram. */
  readonly telegramBotToken?: pulumi.Input<string>;
  /** The moltworker checkout wrangler deploys from. Required. */
  readonly moltworkerDir: string;
  /** The commit the checkout must be at, or "unpinned". Default: the commit this kit was checked against. */
  readonly moltworkerCommit?: string;
  /** Email a billing alert here. Default: none. */
  readonly billingAlertEmail?: string;
  /** The billing alert's threshold in Workers requests. Default: 1000000. */
  readonly billingAlertRequests?: number;
}

/** The fields of MoltworkerAgentArgs that take an Input; every other one must be a plain value. */
export const MOLTWORKER_INPUT_ARGS = [
  ...AGENT_INPUT_ARGS,
  "telegramBotToken",
  "cloudflareApiToken",
] as const;
