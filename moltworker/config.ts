import * as pulumi from "@pulumi/pulumi";
import { BucketOnDestroy } from "./bucketGuard";
import { parseWranglerConfig } from "./wrangler-config";
import { AgentConfig, ConfigReader, k, parseAgentConfig, SecretValue } from "../core/config";

/** The validated configuration of the moltworker shape. */
export interface MoltworkerConfig extends AgentConfig {
  readonly target: "moltworker";
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
  readonly bucketJurisdiction: "default" | "eu" | "fedramp";
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
  /** Cloudflare's usage alert: by email, and to clawkit:alertWebhook when that is set. */
  readonly billingAlert?: { readonly email?: string; readonly requests: number };
}

/** The moltworker commit this version of clawkit was written and checked against. */
export const MOLTWORKER_COMMIT = "aa5f75b23c9c5e9634bfbdd5a50067b58c519a67";

export const MOLTWORKER_DEFAULTS = {
  accessSessionDuration: "24h",
  aiGatewayRateLimit: 60,
  billingAlertRequests: 1_000_000,
} as const;

/**
 * What `pulumi destroy` does with the bucket: "refuse" stops before the bucket is
 * touched; "keep" leaves it in the account; "export" downloads it, then empties it.
 */
const BUCKET_ON_DESTROY: readonly BucketOnDestroy[] = ["refuse", "keep", "export"];

export const BUCKET_LOCATIONS = ["apac", "eeur", "enam", "weur", "wnam", "oc"] as const;
const JURISDICTIONS = ["default", "eu", "fedramp"] as const;

const HEX32 = /^[0-9a-f]{32}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** A plain address: no `*` or other characters that read like patterns. */
const EMAIL = /^[A-Za-z0-9._%+-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** Go-style durations as Access takes them: "30m", "24h", "1h30m". */
const DURATION = /^([0-9]+(h|m|s))+$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** "dev" → "openclaw-dev", trimmed to what a DNS label or bucket name allows. */
function stackName(stack: string, suffix = ""): string {
  const base = `openclaw-${stack}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, "");
  return `${base}${suffix}`;
}

/** Total hours of a Go-style duration. */
function durationHours(value: string): number {
  const units: Record<string, number> = { h: 1, m: 1 / 60, s: 1 / 3600 };
  return [...value.matchAll(/([0-9]+)(h|m|s)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * units[unit],
    0,
  );
}

/** Reads and validates the moltworker shape's keys. */
export function parseMoltworkerConfig(r: ConfigReader, stack: string): MoltworkerConfig {
  const { source, problem, secret, list, integer, bool, text } = r;
  const agent = parseAgentConfig(r, stack);

  const accountId = text("cloudflareAccountId", "");
  if (!HEX32.test(accountId)) {
    problem(
      k("cloudflareAccountId"),
      accountId === ""
        ? "is required"
        : `"${accountId}" is not a Cloudflare account id (32 hex digits)`,
      `pulumi config set ${k("cloudflareAccountId")} <id from the dashboard's Account home>`,
    );
  }
  r.providerSecret(
    "cloudflare:apiToken",
    "CLOUDFLARE_API_TOKEN",
    "pulumi config set --secret cloudflare:apiToken <token> (permissions: README, Moltworker quick start)",
  );
  const apiToken = source.get("cloudflare:apiToken") || source.env("CLOUDFLARE_API_TOKEN") || "";
  // It travels as one line of a command's stdin.
  if (/\s/.test(apiToken)) {
    problem(
      "cloudflare:apiToken",
      "holds spaces or line breaks",
      "pulumi config set --secret cloudflare:apiToken <token>",
    );
  }
  const cloudflareApiToken = pulumi.secret(apiToken);

  const workerName = text("workerName", stackName(stack));
  if (!DNS_LABEL.test(workerName)) {
    problem(
      k("workerName"),
      `"${workerName}" is not a worker name (a-z, 0-9, dashes, at most 63)`,
      `pulumi config set ${k("workerName")} ${stackName("dev")}`,
    );
  }

  // Where the worker answers: exactly one of workers.dev or a custom domain.
  const subdomain = text("workersSubdomain", "");
  const customDomain = text("customDomain", "").toLowerCase();
  const zoneId = text("zoneId", "");
  let host: MoltworkerConfig["host"] = {
    kind: "workers.dev",
    subdomain,
    hostname: `${workerName}.${subdomain}.workers.dev`,
  };
  if (subdomain !== "" && customDomain !== "") {
    problem(
      k("customDomain"),
      "is set together with clawkit:workersSubdomain: the worker answers on one hostname, behind one Access application",
      `pulumi config rm ${k("workersSubdomain")} (or pulumi config rm ${k("customDomain")})`,
    );
  } else if (customDomain !== "") {
    if (!HOSTNAME.test(customDomain)) {
      problem(
        k("customDomain"),
        `"${customDomain}" is not a hostname`,
        `pulumi config set ${k("customDomain")} agent.example.com`,
      );
    }
    if (!HEX32.test(zoneId)) {
      problem(
        k("zoneId"),
        zoneId === ""
          ? "is required with clawkit:customDomain"
          : `"${zoneId}" is not a zone id (32 hex digits)`,
        `pulumi config set ${k("zoneId")} <zone id from the domain's Overview page>`,
      );
    }
    host = { kind: "custom", zoneId, hostname: customDomain };
  } else if (subdomain === "") {
    problem(
      k("workersSubdomain"),
      "is required (or clawkit:customDomain with clawkit:zoneId): Access must know the worker's hostname",
      `pulumi config set ${k("workersSubdomain")} <your account's workers.dev subdomain>`,
    );
  } else if (!DNS_LABEL.test(subdomain)) {
    problem(
      k("workersSubdomain"),
      `"${subdomain}" is not a workers.dev subdomain (one DNS label, without .workers.dev)`,
      `pulumi config set ${k("workersSubdomain")} my-team`,
    );
  }
  if (zoneId !== "" && customDomain === "") {
    problem(
      k("zoneId"),
      "is set but clawkit:customDomain is not",
      `pulumi config set ${k("customDomain")} agent.example.com`,
    );
  }

  // Access: named people only; never "everyone".
  const accessEmails = (list("accessEmails") ?? []).map((e) => e.toLowerCase());
  if (accessEmails.length === 0) {
    problem(
      k("accessEmails"),
      "is required: the email addresses Cloudflare Access lets in",
      `pulumi config set --path '${k("accessEmails")}[0]' you@example.com`,
    );
  }
  for (const email of accessEmails) {
    if (!EMAIL.test(email)) {
      problem(
        k("accessEmails"),
        `"${email}" is not an email address (wildcards and domains are refused)`,
        `pulumi config set --path '${k("accessEmails")}[0]' you@example.com`,
      );
    }
  }
  const accessSessionDuration = text(
    "accessSessionDuration",
    MOLTWORKER_DEFAULTS.accessSessionDuration,
  );
  if (!DURATION.test(accessSessionDuration) || durationHours(accessSessionDuration) > 720) {
    problem(
      k("accessSessionDuration"),
      `"${accessSessionDuration}" is not a duration such as 30m or 24h, at most 720h`,
      `pulumi config set ${k("accessSessionDuration")} ${MOLTWORKER_DEFAULTS.accessSessionDuration}`,
    );
  }
  const accessOneTimePin = bool("accessOneTimePin", false);

  // Storage.
  const bucketName = text("bucketName", stackName(stack, "-state"));
  if (!BUCKET.test(bucketName)) {
    problem(
      k("bucketName"),
      `"${bucketName}" is not an R2 bucket name (3-63 of a-z, 0-9, dashes)`,
      `pulumi config set ${k("bucketName")} ${stackName("dev", "-state")}`,
    );
  }
  const location = text("bucketLocation", "").toLowerCase();
  if (location !== "" && !(BUCKET_LOCATIONS as readonly string[]).includes(location)) {
    problem(
      k("bucketLocation"),
      `"${location}" is not one of ${BUCKET_LOCATIONS.join(", ")}`,
      `pulumi config rm ${k("bucketLocation")}`,
    );
  }
  const jurisdiction = text("bucketJurisdiction", "default");
  if (!(JURISDICTIONS as readonly string[]).includes(jurisdiction)) {
    problem(
      k("bucketJurisdiction"),
      `"${jurisdiction}" is not one of ${JURISDICTIONS.join(", ")}`,
      `pulumi config rm ${k("bucketJurisdiction")}`,
    );
  }

  const aiGateway = bool("aiGateway", false);
  const aiGatewayRateLimit = integer(
    "aiGatewayRateLimit",
    MOLTWORKER_DEFAULTS.aiGatewayRateLimit,
    1,
    100000,
  );
  const browser = bool("browser", false);

  // Channels: moltworker takes a Telegram token and a DM policy, but no allowlist.
  const telegramBotToken = secret("telegramBotToken");
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

  // The checkout wrangler deploys from.
  const dirSetting = text("moltworkerDir", "");
  const pinned = text("moltworkerCommit", MOLTWORKER_COMMIT);
  if (pinned !== "unpinned" && !COMMIT.test(pinned)) {
    problem(
      k("moltworkerCommit"),
      `"${pinned}" is not a full 40-digit commit id (or "unpinned")`,
      `pulumi config set ${k("moltworkerCommit")} ${MOLTWORKER_COMMIT}`,
    );
  }
  const commit = pinned === "unpinned" ? undefined : pinned;
  let moltworker: MoltworkerConfig["moltworker"] = { dir: dirSetting, wranglerConfig: "", commit };
  const fixDir = `git clone https://github.com/cloudflare/moltworker && git -C moltworker checkout ${MOLTWORKER_COMMIT} && pulumi config set ${k("moltworkerDir")} ./moltworker`;
  if (dirSetting === "") {
    problem(k("moltworkerDir"), "is required: the moltworker checkout wrangler deploys", fixDir);
  } else {
    const checkout = source.checkout(dirSetting);
    if (!checkout) {
      problem(k("moltworkerDir"), `"${dirSetting}" does not exist`, fixDir);
    } else if (checkout.wranglerConfig === undefined) {
      problem(k("moltworkerDir"), `"${dirSetting}" has no wrangler.jsonc`, fixDir);
    } else {
      try {
        parseWranglerConfig(checkout.wranglerConfig);
        moltworker = { dir: checkout.dir, wranglerConfig: checkout.wranglerConfig, commit };
      } catch (e) {
        problem(k("moltworkerDir"), `its wrangler.jsonc: ${(e as Error).message}`, fixDir);
      }
      if (commit && checkout.head !== commit) {
        problem(
          k("moltworkerCommit"),
          `the checkout is at ${checkout.head ?? "no git commit"}, not the pinned ${commit}`,
          `git -C ${dirSetting} checkout ${commit} (or pin what you reviewed: pulumi config set ${k("moltworkerCommit")} <commit>)`,
        );
      } else if (commit && checkout.dirty) {
        problem(
          k("moltworkerDir"),
          "has local changes to tracked files: the pinned commit would not be what deploys",
          `git -C ${dirSetting} stash (or commit them and pin that commit)`,
        );
      }
    }
  }

  const bucketOnDestroy = text("bucketOnDestroy", "refuse") as BucketOnDestroy;
  if (!BUCKET_ON_DESTROY.includes(bucketOnDestroy)) {
    problem(
      k("bucketOnDestroy"),
      `must be "refuse", "keep" or "export", got "${bucketOnDestroy}"`,
      `pulumi config set ${k("bucketOnDestroy")} keep`,
    );
  }

  const alertEmail = text("billingAlertEmail", "").toLowerCase();
  if (alertEmail !== "" && !EMAIL.test(alertEmail)) {
    problem(
      k("billingAlertEmail"),
      `"${alertEmail}" is not an email address`,
      `pulumi config set ${k("billingAlertEmail")} you@example.com`,
    );
  }
  const billingRequests = integer(
    "billingAlertRequests",
    MOLTWORKER_DEFAULTS.billingAlertRequests,
    1,
    1_000_000_000,
  );

  return {
    ...agent,
    target: "moltworker",
    accountId,
    cloudflareApiToken,
    workerName,
    host,
    accessEmails,
    accessSessionDuration,
    accessOneTimePin,
    bucketName,
    bucketLocation: location || undefined,
    bucketJurisdiction: jurisdiction as MoltworkerConfig["bucketJurisdiction"],
    aiGateway,
    aiGatewayRateLimit,
    browser,
    telegramBotToken,
    moltworker,
    bucketOnDestroy,
    billingAlert:
      alertEmail || agent.alertWebhook
        ? { email: alertEmail || undefined, requests: billingRequests }
        : undefined,
  };
}
