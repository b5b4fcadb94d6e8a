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
 * The settings of one agent on a hardened Hetzner server reachable only over the
 * tailnet. Every field is checked by the same rules as its `clawkit:` config key.
 */
export interface VpsAgentArgs extends AgentArgs {
  /** The gateway's loopback port, 1024-65535, not 3128-3131 (the host's proxies). Default: 18789. */
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
  /** The admin (provisioning) login. Default: "clawadmin". */
  readonly adminUser?: string;
  /** Your own OpenSSH public keys for the admin login. Default: none. */
  readonly adminSshKeys?: string[];
}

/** The fields of VpsAgentArgs that take an Input; every other one must be a plain value. */
export const VPS_INPUT_ARGS = [...AGENT_INPUT_ARGS, "telegramBotToken"] as const;
