import * as pulumi from "@pulumi/pulumi";
import { AgentArgs } from "./args";
import { SAFE_WEBHOOK_URL } from "../vps/host/secrets";

/**
 * How a layer names a setting and writes the fix for a problem with it. The rules are
 * written once; the config layer names `clawkit:execAllowlist` and answers with a
 * `pulumi config` command, a component names its arg and how to pass it.
 */
export interface SettingNames {
  /** The setting as its user knows it: `clawkit:execAllowlist`, or `execAllowlist`. */
  key(field: string): string;
  /** The fix that sets it: for a list, the example is one entry; for a secret, kept secret. */
  set(field: string, example: string, how?: { list?: boolean; secret?: boolean }): string;
  /** The fix that takes it away. */
  remove(field: string): string;
}

/** One problem with a setting: the setting as its user names it, what is wrong, the fix. */
export interface SettingProblem {
  readonly key: string;
  readonly message: string;
  readonly fix: string;
  /** The setting is required and not given, rather than wrong. */
  readonly missing?: boolean;
}

/** The config layer's names: `clawkit:<field>`, fixed with `pulumi config`. */
export const CONFIG_NAMES: SettingNames = {
  key: (field) => `clawkit:${field}`,
  set: (field, example, how = {}) =>
    how.list
      ? `pulumi config set${how.secret ? " --secret" : ""} --path 'clawkit:${field}[0]' ${example}`
      : `pulumi config set${how.secret ? " --secret" : ""} clawkit:${field} ${example}`,
  remove: (field) => `pulumi config rm clawkit:${field}`,
};

/** A component's names: its args, fixed in the program that builds it. */
/** An example as a program writes it: a number or a boolean bare, text quoted. */
const argLiteral = (example: string) =>
  /^(true|false|-?\d+(\.\d+)?)$/.test(example) ? example : JSON.stringify(example);

export const ARG_NAMES: SettingNames = {
  key: (field) => field,
  set: (field, example, how = {}) =>
    how.list ? `set ${field}: ["${example}"]` : `set ${field}: ${argLiteral(example)}`,
  remove: (field) => `leave ${field} out`,
};

/**
 * Refuses a component's args before it registers anything: one ResourceError that names
 * every bad arg and its fix.
 */
export function refuseArgs(type: string, name: string, problems: readonly SettingProblem[]): void {
  if (problems.length === 0) return;
  throw new pulumi.ResourceError(
    `${type} "${name}": its args cannot be deployed:\n` +
      problems.map((p) => `  - ${p.key}: ${p.message}\n    fix: ${p.fix}`).join("\n"),
    undefined,
  );
}

/**
 * Args a component must read before it registers anything but that arrived as Outputs:
 * a program in another language may pass a secret or another resource's output for
 * any field, and only the fields typed Input can wait for one.
 */
export function plainArgProblems(
  args: object,
  inputFields: readonly string[],
  names: SettingNames,
): SettingProblem[] {
  const isOutput = (v: unknown) => pulumi.Output.isInstance(v);
  return Object.entries(args)
    .filter(([field]) => !inputFields.includes(field))
    .filter(([, v]) => isOutput(v) || (Array.isArray(v) && v.some(isOutput)))
    .map(([field]) => ({
      key: names.key(field),
      message:
        "must be known before anything is created: a plain value, not a secret or another resource's output",
      fix: names.set(field, "<the value itself>"),
    }));
}

/** The model when none is chosen, by the key that is set. */
export const DEFAULT_MODELS = {
  anthropic: "anthropic/claude-sonnet-4-6",
  openai: "openai/gpt-5.5",
} as const;

/** The model an agent runs: the one given, or the default for the key that is given. */
export function modelOf(args: AgentArgs): string {
  return (
    args.model ??
    (args.anthropicApiKey !== undefined || args.openaiApiKey === undefined
      ? DEFAULT_MODELS.anthropic
      : DEFAULT_MODELS.openai)
  );
}

/** Collects a rule function's problems, naming each setting the way its layer does. */
export function problemCollector(names: SettingNames) {
  const problems: SettingProblem[] = [];
  const problem = (field: string, message: string, fix: string, missing?: boolean) =>
    problems.push({ key: names.key(field), message, fix, ...(missing ? { missing } : {}) });
  const wholeNumber = (
    field: string,
    value: number | undefined,
    range: { min: number; max: number; example: number },
  ) => {
    if (value !== undefined && (!Number.isInteger(value) || value < range.min || value > range.max))
      problem(
        field,
        `must be a whole number from ${range.min} to ${range.max}, got ${value}`,
        names.set(field, String(range.example)),
      );
  };
  return { problems, problem, wholeNumber };
}

/**
 * The rules every agent's args meet, whatever its shape: a model credential, a model it
 * can run, a usable webhook. A secret is judged by whether it is given; the webhook's
 * value when it is a plain string here (a secret Output is checked where it is known).
 */
export function agentProblems(args: AgentArgs, names: SettingNames): SettingProblem[] {
  const { problems, problem } = problemCollector(names);
  const secretFix = (field: string) => names.set(field, "<key>", { secret: true });
  const anthropic = args.anthropicApiKey !== undefined;
  const openai = args.openaiApiKey !== undefined;
  if (!anthropic && !openai) {
    problem(
      "anthropicApiKey",
      `no model credential is set (${names.key("anthropicApiKey")} or ${names.key("openaiApiKey")})`,
      secretFix("anthropicApiKey"),
      true,
    );
  }
  const model = modelOf(args);
  if (!/^(anthropic|openai)\/[A-Za-z0-9._:-]+$/.test(model)) {
    problem(
      "model",
      `must be "anthropic/<model>" or "openai/<model>", got "${model}"`,
      names.set("model", DEFAULT_MODELS.anthropic),
    );
  } else if (model.startsWith("anthropic/") && !anthropic) {
    problem(
      "model",
      `"${model}" needs ${names.key("anthropicApiKey")}`,
      secretFix("anthropicApiKey"),
    );
  } else if (model.startsWith("openai/") && !openai) {
    problem("model", `"${model}" needs ${names.key("openaiApiKey")}`, secretFix("openaiApiKey"));
  }
  const webhookProblem =
    typeof args.alertWebhook === "string" ? alertWebhookProblem(args.alertWebhook) : undefined;
  if (webhookProblem) {
    problem(
      "alertWebhook",
      webhookProblem,
      names.set("alertWebhook", "https://ntfy.sh/<your topic>", { secret: true }),
    );
  }
  return problems;
}

/**
 * Why a webhook URL is refused, or undefined when it is usable: only https (the
 * URL is a credential of the receiver, and the alert must not travel in clear),
 * with a host name, no user or password in it, and no port but 443 (the watcher's
 * one way out is TCP 443).
 */
export function alertWebhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "https:") return `must be an https:// URL, got "${parsed.protocol}//…"`;
  if (parsed.username || parsed.password)
    return "must not carry a user or password before the host";
  if (parsed.port && parsed.port !== "443")
    return "must use port 443 (alerts leave the host on TCP 443 only)";
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(parsed.hostname))
    return "must name its host by a DNS name, not an address";
  if (!SAFE_WEBHOOK_URL.test(url))
    return "holds characters the host cannot carry (letters, digits and ._~:/?&=%+,@- only)";
  return undefined;
}

/** A DNS label: what a hostname, worker or bucket name derived from a name may hold. */
export function dnsLabel(...parts: string[]): string {
  return parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** The name of the bucket that holds an agent's state: `<base>-state`, within 63. */
export function stateBucketName(base: string): string {
  return `${dnsLabel(base).slice(0, 57).replace(/-+$/, "")}-state`;
}
