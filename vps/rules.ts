import { agentProblems, problemCollector, SettingNames, SettingProblem } from "../core/rules";
import {
  allowlistReaches,
  reachesCredentialUpstream,
  TELEGRAM_NUMERIC_ID,
} from "./host/credential-gateway";
import { HOST } from "./host/paths";
import { SAFE_SECRET_VALUE } from "./host/secrets";
import { HardenedHostArgs, VpsAgentArgs } from "./args";

/** The vps shape's defaults, where an arg or its config key is left out. */
export const VPS_DEFAULTS = {
  gatewayPort: 18789,
  execSecurity: "allowlist",
  tailnetTags: ["tag:openclaw"],
  serverType: "cx23",
  location: "nbg1",
  image: "debian-12",
  volumeSizeGb: 10,
  adminUser: "clawadmin",
  backupRegion: "auto",
  backupKeepDaily: 14,
} as const;

export const LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TAG = /^tag:[a-z0-9][a-z0-9-]*$/i;
const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|ssh-rsa) [A-Za-z0-9+/]+=*( [^\n]*)?$/;
/** A hostname, optionally led by one `*.` wildcard label. */
/** A DNS name of two or more labels, its last one a top-level domain. */
const DNS_NAME = "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]";
const EGRESS_HOST = new RegExp(`^(\\*\\.)?${DNS_NAME}$`);
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

/**
 * The rules of a hardened host, whatever provisions it (the vps shape's server, or a
 * machine the operator owns): the agent's, the gateway port, channels, what the agent
 * may run and reach, the admin login, the backups. The config layer calls it on the
 * args it read from `clawkit:` keys, the components on the args they were given. A
 * secret is judged by whether it is given; its value is checked where it is known (the
 * webhook and the backup key when they are plain strings here, every secret again as
 * the host secrets are rendered).
 */
export function hardenedHostProblems(
  args: HardenedHostArgs,
  names: SettingNames,
): SettingProblem[] {
  const { problems, problem, wholeNumber } = problemCollector(names);
  problems.push(...agentProblems(args, names));
  const keepOnly = (field: string) =>
    `${names.remove(field)} (or list only the programs the agent needs)`;

  wholeNumber("gatewayPort", args.gatewayPort, {
    min: 1024,
    max: 65535,
    example: VPS_DEFAULTS.gatewayPort,
  });
  // Below 1024 is refused above, so sshd (22) and tailscale serve (443) cannot collide.
  const taken = [
    HOST.proxyPort,
    HOST.credentialGatewayPort,
    HOST.alertProxyPort,
    HOST.alertRelayPort,
    HOST.backupProxyPort,
  ];
  if (args.gatewayPort !== undefined && (taken as readonly number[]).includes(args.gatewayPort)) {
    problem(
      "gatewayPort",
      `${args.gatewayPort} is taken on the host (${taken.join(", ")}: the egress proxy, the credential gateway, the alert and backup paths)`,
      names.set("gatewayPort", String(VPS_DEFAULTS.gatewayPort)),
    );
  }

  // Channels: a bot token without an allowlist would let anyone who finds the bot talk to the agent.
  const allowFrom = args.telegramAllowFrom ?? [];
  if (args.telegramBotToken !== undefined) {
    if (allowFrom.length === 0) {
      problem(
        "telegramAllowFrom",
        `is required when ${names.key("telegramBotToken")} is set: without it anyone who finds the bot can talk to the agent`,
        names.set("telegramAllowFrom", "<your numeric Telegram user id>", { list: true }),
      );
    }
    for (const id of allowFrom) {
      if (!TELEGRAM_NUMERIC_ID.test(id)) {
        problem(
          "telegramAllowFrom",
          `"${id}" is not a numeric Telegram user id (usernames can change hands)`,
          names.set("telegramAllowFrom", "123456789", { list: true }),
        );
      }
    }
  } else if (allowFrom.length > 0) {
    problem(
      "telegramAllowFrom",
      `is set but ${names.key("telegramBotToken")} is not`,
      names.set("telegramBotToken", "<token>", { secret: true }),
    );
  }

  const alertChats = args.alertTelegramChats ?? [];
  for (const chat of alertChats) {
    if (!TELEGRAM_NUMERIC_ID.test(chat)) {
      problem(
        "alertTelegramChats",
        `"${chat}" is not a numeric Telegram chat id (a user id, or -100… for a group)`,
        names.set("alertTelegramChats", "123456789", { list: true }),
      );
    }
  }
  if (alertChats.length > 0 && args.telegramBotToken === undefined) {
    problem(
      "alertTelegramChats",
      `needs the bot that sends the alerts: ${names.key("telegramBotToken")} is not set`,
      names.set("telegramBotToken", "<token>", { secret: true }),
    );
  }

  const execSecurity: string = args.execSecurity ?? VPS_DEFAULTS.execSecurity;
  if (execSecurity === "full") {
    problem(
      "execSecurity",
      `"full" lets a prompt injection run any command as the agent; clawkit refuses it`,
      names.set("execSecurity", "allowlist"),
    );
  } else if (execSecurity !== "allowlist" && execSecurity !== "deny") {
    problem(
      "execSecurity",
      `must be "allowlist" or "deny", got "${execSecurity}"`,
      names.set("execSecurity", "allowlist"),
    );
  }
  for (const entry of args.execAllowlist ?? []) {
    const program = entry.split("/").pop() ?? "";
    if (!EXEC_ENTRY.test(entry) || entry.split("/").includes("..")) {
      problem(
        "execAllowlist",
        `"${entry}" is not a plain program name or absolute path`,
        names.set("execAllowlist", "date", { list: true }),
      );
    } else if (EXEC_ESCAPES.has(program.replace(/[0-9.]+$/, ""))) {
      problem(
        "execAllowlist",
        `"${entry}" can start any other program, so allowing it allows everything`,
        keepOnly("execAllowlist"),
      );
    } else if (EXEC_PRINTS_ENVIRONMENT.has(program)) {
      problem(
        "execAllowlist",
        `"${entry}" prints the environment the agent's programs inherit, your keys included`,
        keepOnly("execAllowlist"),
      );
    }
  }

  // Skills ship inside the pinned package; the ones that install more from ClawHub are refused.
  for (const skill of args.bundledSkills ?? []) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(skill)) {
      problem(
        "bundledSkills",
        `"${skill}" is not a skill name`,
        names.set("bundledSkills", "healthcheck", { list: true }),
      );
    } else if (skill === "clawhub" || skill === "skill-creator") {
      problem(
        "bundledSkills",
        `"${skill}" fetches or writes skills, which the kit keeps off`,
        names.remove("bundledSkills"),
      );
    }
  }

  for (const host of (args.egressAllowlist ?? []).map((h) => h.toLowerCase())) {
    if (!EGRESS_HOST.test(host)) {
      problem(
        "egressAllowlist",
        `"${host}" is not a hostname or a "*.domain.tld" wildcard (bare "*", IP addresses and whole top-level domains are refused)`,
        names.set("egressAllowlist", "api.example.com", { list: true }),
      );
    } else if (reachesCredentialUpstream(host)) {
      problem(
        "egressAllowlist",
        `"${host}" leads to a model provider or Telegram, which the agent reaches only through the credential gateway (a direct way there would let it use a key of anyone's choosing)`,
        `${names.remove("egressAllowlist")} (then add back the other hosts)`,
      );
    }
  }

  const adminUser = args.adminUser ?? VPS_DEFAULTS.adminUser;
  if (!UNIX_USER.test(adminUser) || ["root", "openclaw", "proxy"].includes(adminUser)) {
    problem(
      "adminUser",
      `"${adminUser}" is not a usable login name`,
      names.set("adminUser", VPS_DEFAULTS.adminUser),
    );
  }
  problems.push(...backupProblems(args, names));
  return problems;
}

/**
 * The rules of a tailnet join with the kit's one-off key, a vps's or an owned machine's
 * (`clawkit:tailnetJoin`): the tags it joins with, and its name there.
 */
export function tailnetJoinProblems(
  args: { readonly tailnetTags?: readonly string[]; readonly hostname?: string },
  names: SettingNames,
): SettingProblem[] {
  const { problems, problem } = problemCollector(names);
  const tailnetTags = args.tailnetTags ?? VPS_DEFAULTS.tailnetTags;
  if (tailnetTags.length === 0) {
    problem(
      "tailnetTags",
      "needs at least one tag",
      names.set("tailnetTags", "tag:openclaw", { list: true }),
    );
  }
  for (const tag of tailnetTags) {
    if (!TAG.test(tag)) {
      problem(
        "tailnetTags",
        `"${tag}" must start with "tag:" followed by letters, digits or dashes`,
        names.set("tailnetTags", "tag:openclaw", { list: true }),
      );
    }
  }

  if (args.hostname !== undefined && !HOSTNAME_LABEL.test(args.hostname)) {
    problem(
      "hostname",
      `"${args.hostname}" is not a DNS label (a-z, 0-9, dashes, at most 63)`,
      names.set("hostname", "openclaw-dev"),
    );
  }
  return problems;
}

/**
 * Every rule of the vps shape, on an agent's args: the hardened host's, the tailnet
 * join's (tags, hostname), then Hetzner's (server type, location, image, volume, the
 * admin's keys in the user-data).
 */
export function vpsProblems(args: VpsAgentArgs, names: SettingNames): SettingProblem[] {
  const { problems, problem, wholeNumber } = problemCollector(names);
  problems.push(...hardenedHostProblems(args, names), ...tailnetJoinProblems(args, names));
  if (args.serverType !== undefined && !/^[a-z]+[0-9]+[a-z]*$/.test(args.serverType)) {
    problem(
      "serverType",
      `"${args.serverType}" is not a Hetzner server type such as cx23 or cax11`,
      names.set("serverType", VPS_DEFAULTS.serverType),
    );
  }
  if (args.location !== undefined && !(LOCATIONS as readonly string[]).includes(args.location)) {
    problem(
      "location",
      `"${args.location}" is not one of ${LOCATIONS.join(", ")}`,
      names.set("location", VPS_DEFAULTS.location),
    );
  }
  if (args.image !== undefined && args.image !== "debian-12" && !/^[0-9]+$/.test(args.image)) {
    problem(
      "image",
      `"${args.image}" is not supported: the host scripts are built and tested on Debian 12`,
      `${names.set("image", "debian-12")} (or the numeric id of your own Debian 12 snapshot)`,
    );
  }
  wholeNumber("volumeSizeGb", args.volumeSizeGb, {
    min: 10,
    max: 10240,
    example: VPS_DEFAULTS.volumeSizeGb,
  });

  for (const key of args.adminSshKeys ?? []) {
    if (!SSH_PUBLIC_KEY.test(key)) {
      problem(
        "adminSshKeys",
        `"${key.slice(0, 24)}…" is not an OpenSSH public key`,
        names.set("adminSshKeys", '"$(cat ~/.ssh/id_ed25519.pub)"', { list: true }),
      );
    }
  }
  return problems;
}

/** The settings that only mean something with backupBucket. */
const BACKUP_FIELDS = [
  "backupEndpoint",
  "backupRegion",
  "backupPrefix",
  "backupAccessKeyId",
  "backupSecretAccessKey",
  "backupKey",
  "backupKeepDaily",
  "restoreFrom",
] as const;
/** S3's bucket names: 3-63 of a-z, 0-9, dots and dashes, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An endpoint is a DNS name only: the kit always speaks https to it, on port 443. */
const ENDPOINT_HOST = new RegExp(`^${DNS_NAME}$`);
const BACKUP_PREFIX = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
/** restic's snapshot ids: 8 to 64 hex digits (short or full). */
const SNAPSHOT_ID = /^[0-9a-f]{8,64}$/;

/**
 * Why a backup key is refused, or undefined when it is usable: long enough that the
 * encryption rests on it, not on the bucket's access control, and in the characters
 * the host's secrets file carries.
 */
export function backupKeyProblem(key: string): string | undefined {
  if (key.length < 32) return `is ${key.length} characters long; it needs 32 or more`;
  if (!SAFE_SECRET_VALUE.test(key))
    return "holds characters the host cannot carry (letters, digits and ._:+/=@- only)";
  return undefined;
}

/**
 * The backup rules: a bucket needs its endpoint, a token for it and a key; nothing
 * of it means anything without the bucket; names and numbers in their forms.
 */
export function backupProblems(args: HardenedHostArgs, names: SettingNames): SettingProblem[] {
  const { problems, problem, wholeNumber } = problemCollector(names);
  if (args.backupBucket === undefined) {
    for (const field of BACKUP_FIELDS)
      if (args[field] !== undefined)
        problem(
          field,
          `means nothing without ${names.key("backupBucket")}`,
          `${names.set("backupBucket", "<bucket>")} (or ${names.remove(field)})`,
        );
    return problems;
  }
  if (!BUCKET_NAME.test(args.backupBucket) || args.backupBucket.includes("..")) {
    problem(
      "backupBucket",
      `"${args.backupBucket}" is not an S3 bucket name (3-63 of a-z, 0-9, dots and dashes)`,
      names.set("backupBucket", "openclaw-backups"),
    );
  }
  if (args.backupEndpoint === undefined) {
    problem(
      "backupEndpoint",
      `is required with ${names.key("backupBucket")}`,
      names.set("backupEndpoint", "<account id>.r2.cloudflarestorage.com"),
      true,
    );
  } else if (!ENDPOINT_HOST.test(args.backupEndpoint)) {
    problem(
      "backupEndpoint",
      `"${args.backupEndpoint}" is not a host name (no scheme, port, path or address: the kit speaks https on 443)`,
      names.set("backupEndpoint", "<account id>.r2.cloudflarestorage.com"),
    );
  } else if (reachesCredentialUpstream(args.backupEndpoint)) {
    problem(
      "backupEndpoint",
      `"${args.backupEndpoint}" is a model provider or Telegram, not a bucket`,
      names.set("backupEndpoint", "<account id>.r2.cloudflarestorage.com"),
    );
  }
  const endpoint = args.backupEndpoint?.toLowerCase();
  for (const host of (args.egressAllowlist ?? []).map((h) => h.toLowerCase())) {
    const covers = endpoint !== undefined && allowlistReaches(host, endpoint);
    if (covers)
      problem(
        "egressAllowlist",
        `"${host}" reaches the backup endpoint ${endpoint}: only the backup user may reach the bucket`,
        `${names.remove("egressAllowlist")} (then add back the other hosts)`,
      );
  }
  if (args.backupRegion !== undefined && !/^[a-z0-9-]{1,32}$/.test(args.backupRegion)) {
    problem(
      "backupRegion",
      `"${args.backupRegion}" is not a region name`,
      names.set("backupRegion", VPS_DEFAULTS.backupRegion),
    );
  }
  if (
    args.backupPrefix !== undefined &&
    (!BACKUP_PREFIX.test(args.backupPrefix) || args.backupPrefix.length > 200)
  ) {
    problem(
      "backupPrefix",
      `"${args.backupPrefix}" is not a path in the bucket (a-z, 0-9, ._- segments joined by /)`,
      names.set("backupPrefix", "openclaw/dev"),
    );
  }
  for (const field of ["backupAccessKeyId", "backupSecretAccessKey", "backupKey"] as const) {
    if (args[field] === undefined)
      problem(
        field,
        `is required with ${names.key("backupBucket")}`,
        names.set(field, field === "backupKey" ? "<32+ random characters>" : "<value>", {
          secret: true,
        }),
        true,
      );
  }
  const keyProblem =
    typeof args.backupKey === "string" ? backupKeyProblem(args.backupKey) : undefined;
  if (keyProblem)
    problem(
      "backupKey",
      keyProblem,
      names.set("backupKey", '"$(openssl rand -base64 33)"', { secret: true }),
    );
  wholeNumber("backupKeepDaily", args.backupKeepDaily, {
    min: 1,
    max: 3650,
    example: VPS_DEFAULTS.backupKeepDaily,
  });
  if (
    args.restoreFrom !== undefined &&
    args.restoreFrom !== "latest" &&
    !SNAPSHOT_ID.test(args.restoreFrom)
  ) {
    problem(
      "restoreFrom",
      `"${args.restoreFrom}" is neither "latest" nor a snapshot id (8-64 hex digits, as restic snapshots lists them)`,
      names.set("restoreFrom", "latest"),
    );
  }
  return problems;
}
