import * as pulumi from "@pulumi/pulumi";
import { HOST } from "../vps/host/paths";
import { reachesCredentialUpstream, TELEGRAM_NUMERIC_ID } from "../vps/host/credential-gateway";
import { SAFE_SECRET_VALUE, SAFE_WEBHOOK_URL } from "../vps/host/secrets";

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

/** A moltworker checkout as found on disk. */
export interface Checkout {
  /** The absolute path of the checkout. */
  readonly dir: string;
  /** The text of its wrangler.jsonc, if present. */
  readonly wranglerConfig?: string;
  /** The commit checked out (git HEAD), if it is a git checkout. */
  readonly head?: string;
  /** True when tracked files differ from that commit. */
  readonly dirty: boolean;
}

export type Target = "vps" | "moltworker";
export type ExecSecurity = "allowlist" | "deny";

/** A validated secret: the value is only ever handed on wrapped as a Pulumi secret. */
export type SecretValue = pulumi.Output<string>;

/** The validated configuration of the vps shape. */
export interface VpsConfig extends AgentConfig {
  readonly target: "vps";
  readonly gatewayPort: number;
  readonly telegram?: { readonly botToken: SecretValue; readonly allowFrom: readonly string[] };
  readonly execSecurity: ExecSecurity;
  readonly execAllowlist: readonly string[];
  readonly bundledSkills: readonly string[];
  readonly egressAllowlist: readonly string[];
  readonly tailnetTags: readonly string[];
  readonly hostname: string;
  readonly serverType: string;
  readonly architecture: "x86" | "arm";
  readonly location: string;
  readonly image: string;
  readonly volumeSizeGb: number;
  readonly keepVolumeOnDestroy: boolean;
  readonly deleteProtection: boolean;
  readonly backups: boolean;
  readonly adminUser: string;
  readonly adminSshKeys: readonly string[];
  /** Telegram chats (numeric ids) the bot sends alerts to. */
  readonly alertTelegramChats: readonly string[];
}

/** One problem with the configuration: the key, what is wrong, and the command that fixes it. */
export interface ConfigProblem {
  readonly key: string;
  readonly message: string;
  readonly fix: string;
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

export const DEFAULTS = {
  gatewayPort: 18789,
  execSecurity: "allowlist" as ExecSecurity,
  // Empty: any program that reads files can read what the agent can, the gateway's
  // environment included; the operator adds what the agent really needs.
  execAllowlist: [] as string[],
  tailnetTags: ["tag:openclaw"],
  serverType: "cx23",
  location: "nbg1",
  image: "debian-12",
  volumeSizeGb: 10,
  adminUser: "clawadmin",
  anthropicModel: "anthropic/claude-sonnet-4-6",
  openaiModel: "openai/gpt-5.5",
} as const;

export const LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TAG = /^tag:[a-z0-9][a-z0-9-]*$/i;
const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|ssh-rsa) [A-Za-z0-9+/]+=*( [^\n]*)?$/;
/** A hostname, optionally led by one `*.` wildcard label. */
const EGRESS_HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** Exec allowlist entries are program names or absolute paths, never shell syntax. */
const EXEC_ENTRY = /^([A-Za-z0-9_.+-]+|(\/[A-Za-z0-9_.+-]+)+)$/;
/** Programs that run other programs or shell out: allowlisting one allows everything. */
const EXEC_ESCAPES = new Set([
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "fish",
  "busybox",
  "env",
  "nohup",
  "timeout",
  "xargs",
  "find",
  "sudo",
  "su",
  "doas",
  "runuser",
  "setpriv",
  "python",
  "python3",
  "perl",
  "ruby",
  "node",
  "nodejs",
  "php",
  "lua",
  "awk",
  "gawk",
  "mawk",
  "sed",
  "vi",
  "vim",
  "less",
  "more",
  "man",
  "git",
  "tar",
  "ssh",
  "openclaw",
]);
/** Programs made to print their environment: exec children inherit the gateway's secrets. */
const EXEC_PRINTS_ENVIRONMENT = new Set(["printenv", "set", "export", "declare"]);
const UNIX_USER = /^[a-z_][a-z0-9_-]{0,30}$/;

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
  integer(name: string, fallback: number, min: number, max: number): number;
  bool(name: string, fallback: boolean): boolean;
  text(name: string, fallback: string): string;
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

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = source.get(k(name));
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^[0-9]+$/.test(raw.trim()) || value < min || value > max) {
      problem(
        k(name),
        `must be a whole number from ${min} to ${max}, got "${raw}"`,
        `pulumi config set ${k(name)} ${fallback}`,
      );
      return fallback;
    }
    return value;
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

  const text = (name: string, fallback: string): string => source.get(k(name)) || fallback;

  const providerSecret = (key: string, envName: string, fix: string) => {
    const value = source.get(key);
    if (value && !source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
    } else if (!value && !source.env(envName)) {
      problem(key, `is not set (nor ${envName})`, fix);
    }
  };

  return { source, problems, problem, secret, list, integer, bool, text, providerSecret };
}

/** What both shapes read: model credentials, the model, the token rotation. */
export interface AgentConfig {
  readonly stack: string;
  readonly anthropicApiKey?: SecretValue;
  readonly openaiApiKey?: SecretValue;
  readonly model: string;
  readonly tokenRotation: string;
  /** The incident switch: the agent stopped and cut off, nobody let in (README: incident runbook). */
  readonly lockdown: boolean;
  /** Where alerts are POSTed as JSON (secret, https only). */
  readonly alertWebhook?: SecretValue;
}

/** Reads the keys both shapes share. */
export function parseAgentConfig(r: ConfigReader, stack: string): AgentConfig {
  const { source, problem, secret, text } = r;
  // Model credentials: at least one, secret.
  const anthropicApiKey = secret("anthropicApiKey");
  const openaiApiKey = secret("openaiApiKey");
  if (!source.get(k("anthropicApiKey")) && !source.get(k("openaiApiKey"))) {
    problem(
      "clawkit:anthropicApiKey",
      "no model credential is set (clawkit:anthropicApiKey or clawkit:openaiApiKey)",
      "pulumi config set --secret clawkit:anthropicApiKey <key>",
    );
  }
  const model = text("model", anthropicApiKey ? DEFAULTS.anthropicModel : DEFAULTS.openaiModel);
  if (!/^(anthropic|openai)\/[A-Za-z0-9._:-]+$/.test(model)) {
    problem(
      k("model"),
      `must be "anthropic/<model>" or "openai/<model>", got "${model}"`,
      `pulumi config set ${k("model")} ${DEFAULTS.anthropicModel}`,
    );
  } else if (model.startsWith("anthropic/") && !source.get(k("anthropicApiKey"))) {
    problem(
      k("model"),
      `"${model}" needs clawkit:anthropicApiKey`,
      "pulumi config set --secret clawkit:anthropicApiKey <key>",
    );
  } else if (model.startsWith("openai/") && !source.get(k("openaiApiKey"))) {
    problem(
      k("model"),
      `"${model}" needs clawkit:openaiApiKey`,
      "pulumi config set --secret clawkit:openaiApiKey <key>",
    );
  }

  const tokenRotation = text("tokenRotation", "");
  const lockdown = r.bool("lockdown", false);
  const alertWebhook = secret("alertWebhook");
  const webhookProblem = alertWebhook && alertWebhookProblem(source.get(k("alertWebhook")) ?? "");
  if (webhookProblem) {
    problem(
      k("alertWebhook"),
      webhookProblem,
      `pulumi config set --secret ${k("alertWebhook")} https://ntfy.sh/<your topic>`,
    );
  }
  return {
    stack,
    anthropicApiKey,
    openaiApiKey,
    model,
    tokenRotation,
    lockdown,
    alertWebhook: webhookProblem ? undefined : alertWebhook,
  };
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

/** Reads and validates the vps shape's keys. */
export function parseVpsConfig(r: ConfigReader, stack: string): VpsConfig {
  const { source, problem, secret, list, integer, bool, text } = r;
  const agent = parseAgentConfig(r, stack);

  const gatewayPort = integer("gatewayPort", DEFAULTS.gatewayPort, 1024, 65535);
  // Below 1024 is refused above, so sshd (22) and tailscale serve (443) cannot collide.
  if (gatewayPort === HOST.proxyPort) {
    problem(
      k("gatewayPort"),
      `${gatewayPort} is used by the egress proxy`,
      `pulumi config set ${k("gatewayPort")} ${DEFAULTS.gatewayPort}`,
    );
  }

  // Channels: a bot token without an allowlist would let anyone who finds the bot talk to the agent.
  let telegram: VpsConfig["telegram"];
  const telegramBotToken = secret("telegramBotToken");
  const telegramAllowFrom = list("telegramAllowFrom") ?? [];
  if (source.get(k("telegramBotToken"))) {
    if (telegramAllowFrom.length === 0) {
      problem(
        k("telegramAllowFrom"),
        "is required when clawkit:telegramBotToken is set: without it anyone who finds the bot can talk to the agent",
        `pulumi config set --path '${k("telegramAllowFrom")}[0]' <your numeric Telegram user id>`,
      );
    }
    for (const id of telegramAllowFrom) {
      if (!TELEGRAM_NUMERIC_ID.test(id)) {
        problem(
          k("telegramAllowFrom"),
          `"${id}" is not a numeric Telegram user id (usernames can change hands)`,
          `pulumi config set --path '${k("telegramAllowFrom")}[0]' 123456789`,
        );
      }
    }
    if (telegramBotToken && telegramAllowFrom.length > 0)
      telegram = { botToken: telegramBotToken, allowFrom: telegramAllowFrom };
  } else if (telegramAllowFrom.length > 0) {
    problem(
      k("telegramAllowFrom"),
      "is set but clawkit:telegramBotToken is not",
      "pulumi config set --secret clawkit:telegramBotToken <token>",
    );
  }

  const alertTelegramChats = list("alertTelegramChats") ?? [];
  for (const chat of alertTelegramChats) {
    if (!TELEGRAM_NUMERIC_ID.test(chat)) {
      problem(
        k("alertTelegramChats"),
        `"${chat}" is not a numeric Telegram chat id (a user id, or -100… for a group)`,
        `pulumi config set --path '${k("alertTelegramChats")}[0]' 123456789`,
      );
    }
  }
  if (alertTelegramChats.length > 0 && !source.get(k("telegramBotToken"))) {
    problem(
      k("alertTelegramChats"),
      "needs the bot that sends the alerts: clawkit:telegramBotToken is not set",
      "pulumi config set --secret clawkit:telegramBotToken <token>",
    );
  }

  const execSecurity = text("execSecurity", DEFAULTS.execSecurity);
  if (execSecurity === "full") {
    problem(
      k("execSecurity"),
      `"full" lets a prompt injection run any command as the agent; clawkit refuses it`,
      `pulumi config set ${k("execSecurity")} allowlist`,
    );
  } else if (execSecurity !== "allowlist" && execSecurity !== "deny") {
    problem(
      k("execSecurity"),
      `must be "allowlist" or "deny", got "${execSecurity}"`,
      `pulumi config set ${k("execSecurity")} allowlist`,
    );
  }
  const execAllowlist = list("execAllowlist") ?? [...DEFAULTS.execAllowlist];
  for (const entry of execAllowlist) {
    const program = entry.split("/").pop() ?? "";
    if (!EXEC_ENTRY.test(entry) || entry.split("/").includes("..")) {
      problem(
        k("execAllowlist"),
        `"${entry}" is not a plain program name or absolute path`,
        `pulumi config set --path '${k("execAllowlist")}[0]' date`,
      );
    } else if (EXEC_ESCAPES.has(program.replace(/[0-9.]+$/, ""))) {
      problem(
        k("execAllowlist"),
        `"${entry}" can start any other program, so allowing it allows everything`,
        `pulumi config rm ${k("execAllowlist")} (or list only the programs the agent needs)`,
      );
    } else if (EXEC_PRINTS_ENVIRONMENT.has(program)) {
      problem(
        k("execAllowlist"),
        `"${entry}" prints the environment the agent's programs inherit, your keys included`,
        `pulumi config rm ${k("execAllowlist")} (or list only the programs the agent needs)`,
      );
    }
  }

  // Skills ship inside the pinned package; the ones that install more from ClawHub are refused.
  const bundledSkills = list("bundledSkills") ?? [];
  for (const skill of bundledSkills) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(skill)) {
      problem(
        k("bundledSkills"),
        `"${skill}" is not a skill name`,
        `pulumi config set --path '${k("bundledSkills")}[0]' healthcheck`,
      );
    } else if (skill === "clawhub" || skill === "skill-creator") {
      problem(
        k("bundledSkills"),
        `"${skill}" fetches or writes skills, which the kit keeps off`,
        `pulumi config rm ${k("bundledSkills")}`,
      );
    }
  }

  const egressAllowlist = (list("egressAllowlist") ?? []).map((h) => h.toLowerCase());
  for (const host of egressAllowlist) {
    if (!EGRESS_HOST.test(host)) {
      problem(
        k("egressAllowlist"),
        `"${host}" is not a hostname or a "*.domain.tld" wildcard (bare "*", IP addresses and whole top-level domains are refused)`,
        `pulumi config set --path '${k("egressAllowlist")}[0]' api.example.com`,
      );
    } else if (reachesCredentialUpstream(host)) {
      problem(
        k("egressAllowlist"),
        `"${host}" leads to a model provider or Telegram, which the agent reaches only through the credential gateway (a direct way there would let it use a key of anyone's choosing)`,
        `pulumi config set --path '${k("egressAllowlist")}' '[]'  # then add back the other hosts`,
      );
    }
  }

  const tailnetTags = list("tailnetTags") ?? [...DEFAULTS.tailnetTags];
  if (tailnetTags.length === 0) {
    problem(
      k("tailnetTags"),
      "needs at least one tag",
      `pulumi config set --path '${k("tailnetTags")}[0]' tag:openclaw`,
    );
  }
  for (const tag of tailnetTags) {
    if (!TAG.test(tag)) {
      problem(
        k("tailnetTags"),
        `"${tag}" must start with "tag:" followed by letters, digits or dashes`,
        `pulumi config set --path '${k("tailnetTags")}[0]' tag:openclaw`,
      );
    }
  }

  const hostname = text(
    "hostname",
    `openclaw-${stack}`
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .slice(0, 63),
  );
  if (!HOSTNAME_LABEL.test(hostname)) {
    problem(
      k("hostname"),
      `"${hostname}" is not a DNS label (a-z, 0-9, dashes, at most 63)`,
      `pulumi config set ${k("hostname")} openclaw-dev`,
    );
  }

  const serverType = text("serverType", DEFAULTS.serverType);
  if (!/^[a-z]+[0-9]+[a-z]*$/.test(serverType)) {
    problem(
      k("serverType"),
      `"${serverType}" is not a Hetzner server type such as cx23 or cax11`,
      `pulumi config set ${k("serverType")} ${DEFAULTS.serverType}`,
    );
  }
  const location = text("location", DEFAULTS.location);
  if (!(LOCATIONS as readonly string[]).includes(location)) {
    problem(
      k("location"),
      `"${location}" is not one of ${LOCATIONS.join(", ")}`,
      `pulumi config set ${k("location")} ${DEFAULTS.location}`,
    );
  }
  const image = text("image", DEFAULTS.image);
  if (image !== "debian-12" && !/^[0-9]+$/.test(image)) {
    problem(
      k("image"),
      `"${image}" is not supported: the host scripts are built and tested on Debian 12`,
      `pulumi config set ${k("image")} debian-12 (or the numeric id of your own Debian 12 snapshot)`,
    );
  }
  const volumeSizeGb = integer("volumeSizeGb", DEFAULTS.volumeSizeGb, 10, 10240);

  const adminUser = text("adminUser", DEFAULTS.adminUser);
  if (!UNIX_USER.test(adminUser) || ["root", "openclaw", "proxy"].includes(adminUser)) {
    problem(
      k("adminUser"),
      `"${adminUser}" is not a usable login name`,
      `pulumi config set ${k("adminUser")} ${DEFAULTS.adminUser}`,
    );
  }
  const adminSshKeys = list("adminSshKeys") ?? [];
  for (const key of adminSshKeys) {
    if (!SSH_PUBLIC_KEY.test(key)) {
      problem(
        k("adminSshKeys"),
        `"${key.slice(0, 24)}…" is not an OpenSSH public key`,
        `pulumi config set --path '${k("adminSshKeys")}[0]' "$(cat ~/.ssh/id_ed25519.pub)"`,
      );
    }
  }

  const keepVolumeOnDestroy = bool("keepVolumeOnDestroy", true);
  const deleteProtection = bool("deleteProtection", false);
  const backups = bool("backups", true);

  // Provider credentials: from stack config (encrypted) or the environment.
  r.providerSecret(
    "hcloud:token",
    "HCLOUD_TOKEN",
    "pulumi config set --secret hcloud:token <token>",
  );
  const tailscaleApiKey = source.get("tailscale:apiKey");
  const tailscaleOauth = source.get("tailscale:oauthClientSecret");
  for (const key of ["tailscale:apiKey", "tailscale:oauthClientSecret"]) {
    if (source.get(key) && !source.isSecret(key)) {
      problem(
        key,
        "is stored in plain text in the stack file",
        `pulumi config rm ${key} && pulumi config set --secret ${key} <value>`,
      );
    }
  }
  if (
    !tailscaleApiKey &&
    !tailscaleOauth &&
    !source.env("TAILSCALE_API_KEY") &&
    !source.env("TAILSCALE_OAUTH_CLIENT_SECRET")
  ) {
    problem(
      "tailscale:apiKey",
      "no Tailscale credential is set (tailscale:apiKey or tailscale:oauthClientId + tailscale:oauthClientSecret)",
      "pulumi config set --secret tailscale:apiKey <tskey-api-…>",
    );
  }
  if (!source.get("tailscale:tailnet") && !source.env("TAILSCALE_TAILNET")) {
    problem(
      "tailscale:tailnet",
      "is not set",
      "pulumi config set tailscale:tailnet <your tailnet, e.g. example.com or -  for the key's default>",
    );
  }

  return {
    ...agent,
    target: "vps",
    gatewayPort,
    telegram,
    execSecurity: execSecurity as ExecSecurity,
    execAllowlist,
    bundledSkills,
    egressAllowlist,
    tailnetTags,
    hostname,
    serverType,
    architecture: serverType.startsWith("cax") ? "arm" : "x86",
    location,
    image,
    volumeSizeGb,
    keepVolumeOnDestroy,
    deleteProtection,
    backups,
    adminUser,
    adminSshKeys,
    alertTelegramChats,
  };
}
