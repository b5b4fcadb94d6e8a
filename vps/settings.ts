import { AgentSettings, agentSettings, SecretValue, secretOf } from "../core/settings";
import { HostSettings } from "./host/bundle";
import { ExecSecurity, HardenedHostArgs, VpsAgentArgs } from "./args";
import { backupKeyProblem, VPS_DEFAULTS } from "./rules";
import { ARG_NAMES } from "../core/rules";

/** A hardened host's settings with every default filled in, whatever provisions it. */
export interface HardenedHostSettings extends AgentSettings {
  readonly gatewayPort: number;
  readonly telegram?: { readonly botToken: SecretValue; readonly allowFrom: readonly string[] };
  readonly execSecurity: ExecSecurity;
  readonly execAllowlist: readonly string[];
  readonly bundledSkills: readonly string[];
  readonly egressAllowlist: readonly string[];
  readonly adminUser: string;
  /** Telegram chats (numeric ids) the bot sends alerts to. */
  readonly alertTelegramChats: readonly string[];
  /** The kit's encrypted backups, when a bucket is set. */
  readonly backup?: BackupSettings;
}

/** One agent's vps settings with every default filled in: what VpsAgent builds from. */
export interface VpsSettings extends HardenedHostSettings {
  readonly tailnetTags: readonly string[];
  readonly hostname: string;
  readonly serverType: string;
  readonly location: string;
  readonly image: string;
  readonly volumeSizeGb: number;
  readonly keepVolumeOnDestroy: boolean;
  readonly deleteProtection: boolean;
  readonly backups: boolean;
  readonly adminSshKeys: readonly string[];
}

/** Where the encrypted backups go, with what, and how long they stay. */
export interface BackupSettings {
  readonly bucket: string;
  readonly endpoint: string;
  readonly region: string;
  readonly prefix: string;
  readonly keepDaily: number;
  readonly accessKeyId: SecretValue;
  readonly secretAccessKey: SecretValue;
  /** The repository key: only in the stack's secrets and in root-only files on the host. */
  readonly key: SecretValue;
  /** "latest" or a snapshot id a new server's state starts from. */
  readonly restoreFrom?: string;
}

/**
 * Fills in every default of a hardened host's args the rules have accepted; the backups'
 * repository defaults to DEFAULT_BACKUP_PREFIX in the bucket.
 */
export function hardenedHostSettings(
  args: HardenedHostArgs,
  defaultBackupPrefix: string,
): HardenedHostSettings {
  const botToken = secretOf(args.telegramBotToken);
  const allowFrom = args.telegramAllowFrom ?? [];
  return {
    ...agentSettings(args),
    gatewayPort: args.gatewayPort ?? VPS_DEFAULTS.gatewayPort,
    telegram: botToken && allowFrom.length > 0 ? { botToken, allowFrom } : undefined,
    execSecurity: args.execSecurity ?? VPS_DEFAULTS.execSecurity,
    execAllowlist: args.execAllowlist ?? [],
    bundledSkills: args.bundledSkills ?? [],
    egressAllowlist: (args.egressAllowlist ?? []).map((h) => h.toLowerCase()),
    adminUser: args.adminUser ?? VPS_DEFAULTS.adminUser,
    alertTelegramChats: args.alertTelegramChats ?? [],
    backup: backupSettings(args, defaultBackupPrefix),
  };
}

/** Fills in every default of args the vps rules have accepted. */
export function vpsSettings(args: VpsAgentArgs, defaultHostname: string): VpsSettings {
  const hostname = args.hostname ?? defaultHostname;
  return {
    ...hardenedHostSettings(args, hostname),
    tailnetTags: args.tailnetTags ?? VPS_DEFAULTS.tailnetTags,
    hostname,
    serverType: args.serverType ?? VPS_DEFAULTS.serverType,
    location: args.location ?? VPS_DEFAULTS.location,
    image: args.image ?? VPS_DEFAULTS.image,
    volumeSizeGb: args.volumeSizeGb ?? VPS_DEFAULTS.volumeSizeGb,
    keepVolumeOnDestroy: args.keepVolumeOnDestroy ?? true,
    deleteProtection: args.deleteProtection ?? false,
    backups: args.backups ?? true,
    adminSshKeys: args.adminSshKeys ?? [],
  };
}

/** The backup settings of args the rules accepted (a bucket comes with its endpoint, token and key). */
function backupSettings(args: HardenedHostArgs, defaultPrefix: string): BackupSettings | undefined {
  const { backupBucket, backupEndpoint, backupAccessKeyId, backupSecretAccessKey, backupKey } =
    args;
  // Anything missing is a problem the rules report; these settings are then never used.
  if (
    !backupBucket ||
    !backupEndpoint ||
    !backupAccessKeyId ||
    !backupSecretAccessKey ||
    !backupKey
  )
    return undefined;
  return {
    bucket: backupBucket,
    endpoint: backupEndpoint,
    region: args.backupRegion ?? VPS_DEFAULTS.backupRegion,
    prefix: args.backupPrefix ?? defaultPrefix,
    keepDaily: args.backupKeepDaily ?? VPS_DEFAULTS.backupKeepDaily,
    accessKeyId: secretOf(backupAccessKeyId)!,
    secretAccessKey: secretOf(backupSecretAccessKey)!,
    // A key given as an Output is judged by the same rule once its value is known.
    key: secretOf(backupKey)!.apply((key) => {
      const problem = backupKeyProblem(key);
      if (problem)
        throw new Error(
          `backupKey: ${problem} (${ARG_NAMES.set("backupKey", "<32+ random characters>", { secret: true })})`,
        );
      return key;
    }),
    restoreFrom: args.restoreFrom,
  };
}

/**
 * The non-secret host settings an agent's settings imply: what the bundle is rendered
 * from. A machine the operator owns adds its LAN ranges for sshd, and the name it joins
 * the tailnet with when the kit joins it; a vps has neither (its first boot joins).
 */
export function hostSettings(
  settings: HardenedHostSettings & {
    readonly sshFromLan?: readonly string[];
    readonly tailnetJoin?: { readonly hostname: string };
  },
  volumeDevice?: string,
): HostSettings {
  const providers = [
    ...(settings.anthropicApiKey ? (["anthropic"] as const) : []),
    ...(settings.openaiApiKey ? (["openai"] as const) : []),
  ];
  return {
    adminUser: settings.adminUser,
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
    backup: settings.backup && {
      endpoint: settings.backup.endpoint,
      bucket: settings.backup.bucket,
      region: settings.backup.region,
      prefix: settings.backup.prefix,
      keepDaily: settings.backup.keepDaily,
      restoreFrom: settings.backup.restoreFrom,
    },
    ...(settings.sshFromLan?.length ? { sshFromLan: settings.sshFromLan } : {}),
    ...(settings.tailnetJoin ? { tailnetHostname: settings.tailnetJoin.hostname } : {}),
  };
}
