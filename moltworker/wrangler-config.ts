import { parse, ParseError, printParseErrorCode } from "jsonc-parser";

/** Worker variables that switch off Access or open debug routes: the kit never sets them. */
export const FORBIDDEN_WORKER_VARS = ["DEV_MODE", "E2E_TEST_MODE", "DEBUG_ROUTES"] as const;

/** The parts of moltworker's wrangler.jsonc the kit reads or rewrites. */
export interface WranglerConfig {
  name: string;
  main: string;
  containers: { class_name: string; image: string }[];
  r2_buckets: { binding: string; bucket_name: string; jurisdiction?: string }[];
  vars?: Record<string, unknown>;
  routes?: unknown;
  workers_dev?: boolean;
  preview_urls?: boolean;
  [key: string]: unknown;
}

/** Parses moltworker's wrangler.jsonc and checks it is the shape the kit deploys; throws why not. */
export function parseWranglerConfig(text: string): WranglerConfig {
  const errors: ParseError[] = [];
  const config = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0) {
    throw new Error(
      `does not parse (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset})`,
    );
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error("is not a JSON object");
  }
  const c = config as Partial<WranglerConfig>;
  if (typeof c.name !== "string" || typeof c.main !== "string") {
    throw new Error("has no worker name or main module");
  }
  if (!Array.isArray(c.containers) || c.containers.length === 0) {
    throw new Error("declares no container: this is not a moltworker checkout");
  }
  if (!Array.isArray(c.r2_buckets) || c.r2_buckets.length !== 1) {
    throw new Error("should bind exactly one R2 bucket, the agent's state");
  }
  const forbidden = FORBIDDEN_WORKER_VARS.filter((name) => c.vars && name in c.vars);
  if (forbidden.length > 0) {
    throw new Error(
      `sets ${forbidden.join(", ")} in vars, which switch off Access or open debug routes`,
    );
  }
  return c as WranglerConfig;
}

/** What the kit changes in moltworker's wrangler config. */
export interface WranglerOverrides {
  /** The worker's name (one per stack). */
  readonly workerName: string;
  /** The stack's R2 bucket. */
  readonly bucketName: string;
  /** The bucket's jurisdiction, "default" for none. */
  readonly bucketJurisdiction: string;
  /** True when the worker answers on workers.dev; false when only on its custom domain. */
  readonly workersDev: boolean;
}

/**
 * Renders the wrangler config the kit deploys with: moltworker's own, with the stack's
 * worker name and bucket, no routes (Pulumi owns the custom domain), workers.dev only
 * when that is the worker's hostname, and no preview URLs (Access does not cover them).
 */
export function renderWranglerConfig(upstream: string, overrides: WranglerOverrides): string {
  const config = parseWranglerConfig(upstream);
  const rendered: WranglerConfig = {
    ...config,
    name: overrides.workerName,
    r2_buckets: config.r2_buckets.map((bucket) => ({
      binding: bucket.binding,
      bucket_name: overrides.bucketName,
      ...(overrides.bucketJurisdiction === "default"
        ? {}
        : { jurisdiction: overrides.bucketJurisdiction }),
    })),
    workers_dev: overrides.workersDev,
    preview_urls: false,
  };
  delete rendered.routes;
  return JSON.stringify(rendered, null, 2) + "\n";
}

/** Every secret the kit may set on the worker, by the name moltworker reads. */
export const WORKER_SECRET_NAMES = [
  "MOLTBOT_GATEWAY_TOKEN",
  "CF_ACCESS_TEAM_DOMAIN",
  "CF_ACCESS_AUD",
  "ANTHROPIC_API_KEY",
  "OPENAI_API_KEY",
  "CLOUDFLARE_AI_GATEWAY_API_KEY",
  "CF_AI_GATEWAY_ACCOUNT_ID",
  "CF_AI_GATEWAY_GATEWAY_ID",
  "CF_AI_GATEWAY_MODEL",
  "R2_ACCESS_KEY_ID",
  "R2_SECRET_ACCESS_KEY",
  "CF_ACCOUNT_ID",
  "R2_BUCKET_NAME",
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_DM_POLICY",
  "CDP_SECRET",
  "WORKER_URL",
] as const;

export type WorkerSecretName = (typeof WORKER_SECRET_NAMES)[number];

/** The worker's secrets as plain strings: only ever built inside an apply on secret outputs. */
export interface WorkerSecretValues {
  readonly gatewayToken: string;
  readonly accessTeamDomain: string;
  readonly accessAud: string;
  readonly accountId: string;
  /** The model: `anthropic/<id>` or `openai/<id>`. */
  readonly model: string;
  readonly anthropicApiKey?: string;
  readonly openaiApiKey?: string;
  /** The AI Gateway's id, when model traffic goes through it. */
  readonly aiGatewayId?: string;
  readonly r2: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly bucket: string;
  };
  readonly telegramBotToken?: string;
  /** The browser route's secret and the worker's URL, when the browser is on. */
  readonly browser?: { readonly cdpSecret: string; readonly workerUrl: string };
}

/**
 * The JSON document `wrangler secret bulk` reads on stdin: exactly the names
 * moltworker reads, only those the configuration uses, never a dev or debug switch.
 */
export function renderWorkerSecrets(v: WorkerSecretValues): string {
  const provider = v.model.split("/")[0];
  const providerKey = provider === "anthropic" ? v.anthropicApiKey : v.openaiApiKey;
  const secrets: Partial<Record<WorkerSecretName, string | undefined>> = {
    MOLTBOT_GATEWAY_TOKEN: v.gatewayToken,
    CF_ACCESS_TEAM_DOMAIN: v.accessTeamDomain,
    CF_ACCESS_AUD: v.accessAud,
    // Through the AI Gateway, moltworker takes the provider's key under its own name and
    // rewrites the provider on every start (so a rotated key takes effect on restart).
    ...(v.aiGatewayId
      ? {
          CLOUDFLARE_AI_GATEWAY_API_KEY: providerKey,
          CF_AI_GATEWAY_ACCOUNT_ID: v.accountId,
          CF_AI_GATEWAY_GATEWAY_ID: v.aiGatewayId,
          CF_AI_GATEWAY_MODEL: v.model,
        }
      : { ANTHROPIC_API_KEY: v.anthropicApiKey, OPENAI_API_KEY: v.openaiApiKey }),
    R2_ACCESS_KEY_ID: v.r2.accessKeyId,
    R2_SECRET_ACCESS_KEY: v.r2.secretAccessKey,
    CF_ACCOUNT_ID: v.accountId,
    R2_BUCKET_NAME: v.r2.bucket,
    ...(v.telegramBotToken
      ? { TELEGRAM_BOT_TOKEN: v.telegramBotToken, TELEGRAM_DM_POLICY: "pairing" }
      : {}),
    ...(v.browser ? { CDP_SECRET: v.browser.cdpSecret, WORKER_URL: v.browser.workerUrl } : {}),
  };
  const present = Object.entries(secrets).filter(
    (e): e is [string, string] => typeof e[1] === "string" && e[1] !== "",
  );
  for (const [name, value] of present) {
    if (/[\r\n]/.test(value)) throw new Error(`${name} holds a line break`);
  }
  return JSON.stringify(Object.fromEntries(present));
}
