import { AgentSettings, agentSettings, SecretValue, secretOf } from "../core/settings";
import { HostSettings } from "./host/bundle";
import { ExecSecurity, VpsAgentArgs } from "./args";
import { VPS_DEFAULTS } from "./rules";

/** One agent's vps settings with every default filled in: what VpsAgent builds from. */
export interface VpsSettings extends AgentSettings {
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

/** Fills in every default of args the vps rules have accepted. */
export function vpsSettings(args: VpsAgentArgs, defaultHostname: string): VpsSettings {
  const botToken = secretOf(args.telegramBotToken);
  const allowFrom = args.telegramAllowFrom ?? [];
  const serverType = args.serverType ?? VPS_DEFAULTS.serverType;
  return {
    ...agentSettings(args),
    gatewayPort: args.gatewayPort ?? VPS_DEFAULTS.gatewayPort,
    telegram: botToken && allowFrom.length > 0 ? { botToken, allowFrom } : undefined,
    execSecurity: args.execSecurity ?? VPS_DEFAULTS.execSecurity,
    execAllowlist: args.execAllowlist ?? [],
    bundledSkills: args.bundledSkills ?? [],
    egressAllowlist: (args.egressAllowlist ?? []).map((h) => h.toLowerCase()),
    tailnetTags: args.tailnetTags ?? VPS_DEFAULTS.tailnetTags,
    hostname: args.hostname ?? defaultHostname,
    serverType,
    architecture: serverType.startsWith("cax") ? "arm" : "x86",
    location: args.location ?? VPS_DEFAULTS.location,
    image: args.image ?? VPS_DEFAULTS.image,
    volumeSizeGb: args.volumeSizeGb ?? VPS_DEFAULTS.volumeSizeGb,
    keepVolumeOnDestroy: args.keepVolumeOnDestroy ?? true,
    deleteProtection: args.deleteProtection ?? false,
    backups: args.backups ?? true,
    adminUser: args.adminUser ?? VPS_DEFAULTS.adminUser,
    adminSshKeys: args.adminSshKeys ?? [],
    alertTelegramChats: args.alertTelegramChats ?? [],
  };
}

/** The non-secret host settings an agent's settings imply: what the bundle is rendered from. */
export function hostSettings(settings: VpsSettings, volumeDevice?: string): HostSettings {
  const providers = [
    ...(settings.anthropicApiKey ? (["anthropic"] as const) : []),
    ...(settings.openaiApiKey ? (["openai"] as const) : []),
  ];
  return {
    adminUser: settings.adminUser,
    architecture: settings.architecture,
    volumeDevice,
    openclaw: {
      gatewayPort: settings.gatewayPort,
      model: settings.model,
      providers,
      execSecurity: settings.execSecurity,
      execAllowlist: settings.execAllowlist,
      bundledSkills: settings.bundledSkills,
      telegramAllowFrom: settings.telegram?.allowFrom,
    },
    egressAllowlist: settings.egressAllowlist,
    alertTelegramChats: settings.alertTelegramChats,
  };
}
