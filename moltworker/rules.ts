import { agentProblems, problemCollector, SettingNames, SettingProblem } from "../core/rules";
import { MoltworkerAgentArgs } from "./args";
import { Checkout } from "./checkout";
import { parseWranglerConfig } from "./wrangler-config";

/** The moltworker commit this version of clawkit was written and checked against. */
export const MOLTWORKER_COMMIT = "aa5f75b23c9c5e9634bfbdd5a50067b58c519a67";

export const MOLTWORKER_DEFAULTS = {
  accessSessionDuration: "24h",
  aiGatewayRateLimit: 60,
  billingAlertRequests: 1_000_000,
  bucketJurisdiction: "default",
  bucketOnDestroy: "refuse",
} as const;

export const BUCKET_LOCATIONS = ["apac", "eeur", "enam", "weur", "wnam", "oc"] as const;
const JURISDICTIONS = ["default", "eu", "fedramp"] as const;
const BUCKET_ON_DESTROY = ["refuse", "keep", "export"] as const;

const HEX32 = /^[0-9a-f]{32}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** A plain address: no `*` or other characters that read like patterns. */
const EMAIL = /^[A-Za-z0-9._%+-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** Go-style durations as Access takes them: "30m", "24h", "1h30m". */
const DURATION = /^([0-9]+(h|m|s))+$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** Total hours of a Go-style duration. */
function durationHours(value: string): number {
  const units: Record<string, number> = { h: 1, m: 1 / 60, s: 1 / 3600 };
  return [...value.matchAll(/([0-9]+)(h|m|s)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * units[unit],
    0,
  );
}

/**
 * Every rule of the moltworker shape, on an agent's args and its checkout as found on
 * disk: the config layer calls it on the args it read from `clawkit:` keys,
 * MoltworkerAgent on the args it was given. The API token is judged when its value
 * is a plain string here.
 */
export function moltworkerProblems(
  args: MoltworkerAgentArgs,
  names: SettingNames,
  checkout: Checkout | undefined,
): SettingProblem[] {
  const { problems, problem, wholeNumber } = problemCollector(names);
  problems.push(...agentProblems(args, names));

  const accountId = args.cloudflareAccountId ?? "";
  if (!HEX32.test(accountId)) {
    problem(
      "cloudflareAccountId",
      accountId === ""
        ? "is required"
        : `"${accountId}" is not a Cloudflare account id (32 hex digits)`,
      names.set("cloudflareAccountId", "<id from the dashboard's Account home>"),
      accountId === "",
    );
  }
  // It travels as one line of a command's stdin.
  if (typeof args.cloudflareApiToken === "string" && /\s/.test(args.cloudflareApiToken)) {
    problem(
      "cloudflareApiToken",
      "holds spaces or line breaks",
      names.set("cloudflareApiToken", "<token>", { secret: true }),
    );
  }

  if (args.workerName !== undefined && !DNS_LABEL.test(args.workerName)) {
    problem(
      "workerName",
      `"${args.workerName}" is not a worker name (a-z, 0-9, dashes, at most 63)`,
      names.set("workerName", "openclaw-dev"),
    );
  }

  // Where the worker answers: exactly one of workers.dev or a custom domain.
  const subdomain = args.workersSubdomain ?? "";
  const customDomain = (args.customDomain ?? "").toLowerCase();
  const zoneId = args.zoneId ?? "";
  if (subdomain !== "" && customDomain !== "") {
    problem(
      "customDomain",
      `is set together with ${names.key("workersSubdomain")}: the worker answers on one hostname, behind one Access application`,
      `${names.remove("workersSubdomain")} (or ${names.remove("customDomain")})`,
    );
  } else if (customDomain !== "") {
    if (!HOSTNAME.test(customDomain)) {
      problem(
        "customDomain",
        `"${customDomain}" is not a hostname`,
        names.set("customDomain", "agent.example.com"),
      );
    }
    if (!HEX32.test(zoneId)) {
      problem(
        "zoneId",
        zoneId === ""
          ? `is required with ${names.key("customDomain")}`
          : `"${zoneId}" is not a zone id (32 hex digits)`,
        names.set("zoneId", "<zone id from the domain's Overview page>"),
      );
    }
  } else if (subdomain === "") {
    problem(
      "workersSubdomain",
      `is required (or ${names.key("customDomain")} with ${names.key("zoneId")}): Access must know the worker's hostname`,
      names.set("workersSubdomain", "<your account's workers.dev subdomain>"),
      true,
    );
  } else if (!DNS_LABEL.test(subdomain)) {
    problem(
      "workersSubdomain",
      `"${subdomain}" is not a workers.dev subdomain (one DNS label, without .workers.dev)`,
      names.set("workersSubdomain", "my-team"),
    );
  }
  if (zoneId !== "" && customDomain === "") {
    problem(
      "zoneId",
      `is set but ${names.key("customDomain")} is not`,
      names.set("customDomain", "agent.example.com"),
    );
  }

  // Access: named people only; never "everyone".
  const emails = args.accessEmails ?? [];
  if (emails.length === 0) {
    problem(
      "accessEmails",
      "is required: the email addresses Cloudflare Access lets in",
      names.set("accessEmails", "you@example.com", { list: true }),
      true,
    );
  }
  for (const email of emails) {
    if (!EMAIL.test(email)) {
      problem(
        "accessEmails",
        `"${email}" is not an email address (wildcards and domains are refused)`,
        names.set("accessEmails", "you@example.com", { list: true }),
      );
    }
  }
  const duration = args.accessSessionDuration ?? MOLTWORKER_DEFAULTS.accessSessionDuration;
  if (!DURATION.test(duration) || durationHours(duration) > 720) {
    problem(
      "accessSessionDuration",
      `"${duration}" is not a duration such as 30m or 24h, at most 720h`,
      names.set("accessSessionDuration", MOLTWORKER_DEFAULTS.accessSessionDuration),
    );
  }

  if (args.bucketName !== undefined && !BUCKET.test(args.bucketName)) {
    problem(
      "bucketName",
      `"${args.bucketName}" is not an R2 bucket name (3-63 of a-z, 0-9, dashes)`,
      names.set("bucketName", "openclaw-dev-state"),
    );
  }
  const location = (args.bucketLocation ?? "").toLowerCase();
  if (location !== "" && !(BUCKET_LOCATIONS as readonly string[]).includes(location)) {
    problem(
      "bucketLocation",
      `"${location}" is not one of ${BUCKET_LOCATIONS.join(", ")}`,
      names.remove("bucketLocation"),
    );
  }
  const jurisdiction: string = args.bucketJurisdiction ?? MOLTWORKER_DEFAULTS.bucketJurisdiction;
  if (!(JURISDICTIONS as readonly string[]).includes(jurisdiction)) {
    problem(
      "bucketJurisdiction",
      `"${jurisdiction}" is not one of ${JURISDICTIONS.join(", ")}`,
      names.remove("bucketJurisdiction"),
    );
  }
  const onDestroy: string = args.bucketOnDestroy ?? MOLTWORKER_DEFAULTS.bucketOnDestroy;
  if (!(BUCKET_ON_DESTROY as readonly string[]).includes(onDestroy)) {
    problem(
      "bucketOnDestroy",
      `must be "refuse", "keep" or "export", got "${onDestroy}"`,
      names.set("bucketOnDestroy", "keep"),
    );
  }
  wholeNumber("aiGatewayRateLimit", args.aiGatewayRateLimit, {
    min: 1,
    max: 100000,
    example: MOLTWORKER_DEFAULTS.aiGatewayRateLimit,
  });
  wholeNumber("billingAlertRequests", args.billingAlertRequests, {
    min: 1,
    max: 1_000_000_000,
    example: MOLTWORKER_DEFAULTS.billingAlertRequests,
  });
  const alertEmail = (args.billingAlertEmail ?? "").toLowerCase();
  if (alertEmail !== "" && !EMAIL.test(alertEmail)) {
    problem(
      "billingAlertEmail",
      `"${alertEmail}" is not an email address`,
      names.set("billingAlertEmail", "you@example.com"),
    );
  }

  // The checkout wrangler deploys from.
  const pinned = args.moltworkerCommit ?? MOLTWORKER_COMMIT;
  if (pinned !== "unpinned" && !COMMIT.test(pinned)) {
    problem(
      "moltworkerCommit",
      `"${pinned}" is not a full 40-digit commit id (or "unpinned")`,
      names.set("moltworkerCommit", MOLTWORKER_COMMIT),
    );
  }
  const commit = pinned === "unpinned" ? undefined : pinned;
  const dir = args.moltworkerDir ?? "";
  const fixDir = `git clone https://github.com/cloudflare/moltworker && git -C moltworker checkout ${MOLTWORKER_COMMIT} && ${names.set("moltworkerDir", "./moltworker")}`;
  if (dir === "") {
    problem("moltworkerDir", "is required: the moltworker checkout wrangler deploys", fixDir, true);
  } else if (!checkout) {
    problem("moltworkerDir", `"${dir}" does not exist`, fixDir);
  } else if (checkout.wranglerConfig === undefined) {
    problem("moltworkerDir", `"${dir}" has no wrangler.jsonc`, fixDir);
  } else {
    try {
      parseWranglerConfig(checkout.wranglerConfig);
    } catch (e) {
      problem("moltworkerDir", `its wrangler.jsonc: ${(e as Error).message}`, fixDir);
    }
    if (commit && checkout.head !== commit) {
      problem(
        "moltworkerCommit",
        `the checkout is at ${checkout.head ?? "no git commit"}, not the pinned ${commit}`,
        `git -C ${dir} checkout ${commit} (or pin what you reviewed: ${names.set("moltworkerCommit", "<commit>")})`,
      );
    } else if (commit && checkout.dirty) {
      problem(
        "moltworkerDir",
        "has local changes to tracked files: the pinned commit would not be what deploys",
        `git -C ${dir} stash (or commit them and pin that commit)`,
      );
    }
  }
  return problems;
}
