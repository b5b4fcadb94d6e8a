import * as pulumi from "@pulumi/pulumi";
import type { Checkout } from "../moltworker/checkout";
import { SecretValue } from "./settings";
import { SAFE_SECRET_VALUE } from "../vps/host/secrets";

/** Where raw configuration comes from: Pulumi's config in a program, a plain map in tests. */
export interface ConfigSource {
  /** Every key the stack sets, fully qualified (`clawkit:gatewayPort`, `hcloud:token`). */
  keys(): readonly string[];
  /** The raw string value of a fully qualified key (`clawkit:gatewayPort`), or undefined. */
  get(key: string): string | undefined;
  /** True when the key is stored encrypted (set with `pulumi config set --secret`). */
  isSecret(key: string): boolean;
  /** An environment variable, for provider credentials that may come from the environment. */
  env(name: string): string | undefined;
  /** What the kit needs to know about a moltworker checkout, or undefined when the directory is missing. */
  checkout(dir: string): Checkout | undefined;
}

/** What a stack deploys: a Hetzner server, Cloudflare's Moltworker, or a machine the operator owns. */
export type Target = "vps" | "moltworker" | "host";

/** One problem with the configuration: the key, what is wrong, and the command that fixes it. */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
  readonly fix: string;
  /** The key is required and not set: a first run asks for it (scripts/up.sh). */
  readonly missing?: boolean;
}

/** Thrown before any resource is registered when the configuration cannot be used. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      "clawkit: the stack configuration cannot be deployed:\n" +
        problems.map((p) => `  - ${p.key}: ${p.message}\n    fix: ${p.fix}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Collects problems while it reads typed values; each shape's parser uses one. */
export interface ConfigReader {
  readonly source: ConfigSource;
  readonly problems: ConfigProblem[];
  /** Records a problem with a key. */
  problem(key: string, message: string, fix: string): void;
  /** A `clawkit:` secret, refused when stored in plain text. */
  secret(name: string): SecretValue | undefined;
  /** A `clawkit:` list, as a JSON list or comma-separated. */
  list(name: string): string[] | undefined;
  /** A `clawkit:` whole number, or undefined when unset or not one (its range is a rule's). */
  integer(name: string, example: number): number | undefined;
  bool(name: string, fallback: boolean): boolean;
  /** A `clawkit:` text value, or undefined when unset. */
  text(name: string): string | undefined;
  /** A provider credential from stack config (encrypted) or its environment variable. */
  providerSecret(key: string, envName: string, fix: string): void;
}

/** The fully qualified name of a clawkit key. */
export const k = (name: string): string => `clawkit:${name}`;

/** A ConfigReader over a source. */
export function configReader(source: ConfigSource): ConfigReader {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string, fix: string) =>
    problems.push({ key, message, fix });
  const secret = (name: string): SecretValue | undefined => {
    const key = k(name);
    const value = source.get(key);
    if (value === undefined || value === "") return undefined;
    if (!source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
      return undefined;
    }
    if (!SAFE_SECRET_VALUE.test(value)) {
      problem(
        key,
        "may hold only letters, digits and . _ : + / = @ - (no spaces, quotes or newlines)",
        `pulumi config set --secret ${key} <value>`,
      );
      return undefined;
    }
    return pulumi.secret(value);
  };

  const list = (name: string): string[] | undefined => {
    const raw = source.get(k(name));
    if (raw === undefined || raw.trim() === "") return undefined;
    if (raw.trim().startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (
          Array.isArray(parsed) &&
          parsed.every((x) => typeof x === "string" || typeof x === "number")
        ) {
          return parsed.map((x) => String(x).trim());
        }
      } catch {
        // fall through to the problem below
      }
      problem(
        k(name),
        "is not a JSON list of strings",
        `pulumi config set --path '${k(name)}[0]' <value>`,
      );
      return undefined;
    }
    return raw
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== "");
  };

  const integer = (name: string, example: number): number | undefined => {
    const raw = source.get(k(name));
    if (raw === undefined || raw === "") return undefined;
    if (!/^[0-9]+$/.test(raw.trim())) {
      problem(
        k(name),
        `must be a whole number, got "${raw}"`,
        `pulumi config set ${k(name)} ${example}`,
      );
      return undefined;
    }
    return Number(raw);
  };

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = source.get(k(name));
    if (raw === undefined || raw === "") return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    problem(
      k(name),
      `must be true or false, got "${raw}"`,
      `pulumi config set ${k(name)} ${fallback}`,
    );
    return fallback;
  };

  const text = (name: string): string | undefined => source.get(k(name)) || undefined;

  const providerSecret = (key: string, envName: string, fix: string) => {
    const value = source.get(key);
    if (value && !source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
    } else if (!value && !source.env(envName)) {
      problems.push({ key, message: `is not set (nor ${envName})`, fix, missing: true });
    }
  };

  return { source, problems, problem, secret, list, integer, bool, text, providerSecret };
}

/** What both shapes read: model credentials, the model, the token rotation, the incident keys. */
export interface AgentKeys {
  readonly anthropicApiKey?: SecretValue;
  readonly openaiApiKey?: SecretValue;
  readonly model?: string;
  readonly tokenRotation?: string;
  readonly lockdown: boolean;
  readonly alertWebhook?: SecretValue;
}

/**
 * Reads the keys both shapes share. What makes them valid is judged by the shape's rules
 * (core/rules.ts agentProblems), over these and the webhook's plain value.
 */
export function readAgentKeys(r: ConfigReader): AgentKeys {
  return {
    anthropicApiKey: r.secret("anthropicApiKey"),
    openaiApiKey: r.secret("openaiApiKey"),
    model: r.text("model"),
    tokenRotation: r.text("tokenRotation"),
    lockdown: r.bool("lockdown", false),
    alertWebhook: r.secret("alertWebhook"),
  };
}
