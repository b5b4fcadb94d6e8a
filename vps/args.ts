import * as pulumi from "@pulumi/pulumi";
import { AGENT_INPUT_ARGS, AgentArgs } from "../core/args";

/** What the agent's exec tool may run ("full", anything, is never offered). */
export const ExecSecurity = {
  /** Only the programs in execAllowlist. */
  Allowlist: "allowlist",
  /** Nothing. */
  Deny: "deny",
} as const;
/** What the agent's exec tool may run ("full", anything, is never offered). */
export type ExecSecurity = (typeof ExecSecurity)[keyof typeof ExecSecurity];

/**
 * The settings of a hardened host every target that provisions a machine shares: the
 * gateway, its channels, what the agent may run and reach, the admin login, and the
 * kit's backups. Every field is checked by the same rules as its `clawkit:` config key.
 */
export interface HardenedHostArgs extends AgentArgs {
  /** The gateway's loopback port, 1024-65535, not 3128-3132 (the host's proxies). Default: 18789. */
  readonly gatewayPort?: number;
  /** Telegram bot token (secret); needs telegramAllowFrom. Default: no Telegram. */
  readonly telegramBotToken?: pulumi.Input<string>;
  /** Numeric Telegram user ids the bot answers. Required with telegramBotToken. */
  readonly telegramAllowFrom?: string[];
  /** Numeric Telegram chat ids the bot sends alerts to; needs telegramBotToken. Default: none. */
  readonly alertTelegramChats?: string[];
  /** "allowlist" or "deny" ("full" is refused). Default: "allowlist". */
  readonly execSecurity?: ExecSecurity;
  /** Programs the agent may run: names in /usr/bin or absolute paths. Default: none. */
  readonly execAllowlist?: string[];
  /** Skills shipped inside the pinned openclaw the agent may use. Default: none. */
  readonly bundledSkills?: string[];
  /** Hostnames the agent may reach through the egress proxy (never a model provider or Telegram). Default: none. */
  readonly egressAllowlist?: string[];
  /** The admin (provisioning) login. Default: "clawadmin". */
  readonly adminUser?: string;
  /** S3-compatible bucket for the kit's encrypted nightly backups (README: Backups). Default: no backups. */
  readonly backupBucket?: string;
  /** The bucket's S3 endpoint host, such as <account id>.r2.cloudflarestorage.com. Required with backupBucket. */
  readonly backupEndpoint?: string;
  /** The bucket's S3 region ("auto" for R2; fsn1, nbg1 or hel1 for Hetzner). Default: "auto". */
  readonly backupRegion?: string;
  /** Where in the bucket this agent's repository lives. Default: the vps's hostname; an owned machine's openclaw-<stack>-<name>. */
  readonly backupPrefix?: string;
  /** Access key id of a token scoped to the bucket (secret). Required with backupBucket. */
  readonly backupAccessKeyId?: pulumi.Input<string>;
  /** Its secret access key (secret). Required with backupBucket. */
  readonly backupSecretAccessKey?: pulumi.Input<string>;
  /** The repository key the backups are encrypted with, 32+ characters (secret; keep a copy outside the stack). Required with backupBucket. */
  readonly backupKey?: pulumi.Input<string>;
  /** Days of daily backups kept, 1-3650. Default: 14. */
  readonly backupKeepDaily?: number;
  /** "latest" or a snapshot id: the state a new server starts from, restored before the gateway first starts. Default: none. */
  readonly restoreFrom?: string;
}

/** The fields of HardenedHostArgs that take an Input; every other one must be a plain value. */
export const HARDENED_HOST_INPUT_ARGS = [
  ...AGENT_INPUT_ARGS,
  "telegramBotToken",
  "backupAccessKeyId",
  "backupSecretAccessKey",
  "backupKey",
] as const;

/**
 * The settings of one agent on a hardened Hetzner server reachable only over the
 * tailnet: the hardened host's, the tailnet join's and Hetzner's own.
 */
export interface VpsAgentArgs extends HardenedHostArgs {
  /** Tags the server joins the tailnet with. Default: ["tag:openclaw"]. */
  readonly tailnetTags?: string[];
  /** The server's name and tailnet hostname, a DNS label. Default: openclaw-<stack>-<name>. */
  readonly hostname?: string;
  /** Hetzner server type (cax* are ARM64). Default: "cx23". */
  readonly serverType?: string;
  /** Hetzner location: fsn1, nbg1, hel1, ash, hil or sin. Default: "nbg1". */
  readonly location?: string;
  /** "debian-12" or the numeric id of your own Debian 12 snapshot. Default: "debian-12". */
  readonly image?: string;
  /** Size of the agent's state volume in GB, 10-10240. Default: 10. */
  readonly volumeSizeGb?: number;
  /** pulumi destroy leaves the state volume in Hetzner. Default: true. */
  readonly keepVolumeOnDestroy?: boolean;
  /** Hetzner delete/rebuild protection on the server and volume. Default: false. */
  readonly deleteProtection?: boolean;
  /** Hetzner's daily server backups. Default: true. */
  readonly backups?: boolean;
  /** Your own OpenSSH public keys for the admin login. Default: none. */
  readonly adminSshKeys?: string[];
}

/** The fields of VpsAgentArgs that take an Input: the hardened host's. */
export const VPS_INPUT_ARGS = HARDENED_HOST_INPUT_ARGS;
