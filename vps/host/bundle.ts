import * as crypto from "crypto";
import * as zlib from "zlib";
import { renderExecApprovals } from "./exec-approvals";
import { renderGatewayUnit } from "./gateway-unit";
import { renderOpenclawConfig, OpenclawOptions } from "./openclaw-config";
import { HOST, readShipped } from "./paths";
import {
  CredentialRoute,
  renderCredentialGatewayConfig,
  renderCredentialGatewayUnit,
} from "./credential-gateway";
import { renderAgentEgressRules } from "./firewall";
import { LOCKDOWN_FILES, renderLockdownIncludes } from "./lockdown";
import { egressAllowlist, renderProxyConfig } from "./proxy";
import {
  ALERT_TIMING,
  renderAlertUnit,
  renderFirewallCheckTimer,
  renderFirewallCheckUnit,
} from "./alerts";
import {
  BACKUP_ARCHIVE_NAME,
  BACKUP_CACHE_DIR,
  BACKUP_SNAPSHOT_HOST,
  backupRepository,
  HostBackup,
  renderBackupTimer,
  renderBackupUnit,
} from "./backup";
import { BundleFile, packTar } from "./tar";
import { bootstrapFiles } from "./userdata";

/** Debian packages the host needs; Node.js, npm and openclaw come from the lockfiles instead. */
export const HOST_PACKAGES = [
  "auditd",
  "ca-certificates",
  "curl",
  "nginx",
  "python3",
  "restic",
  "squid",
  "ufw",
  "unattended-upgrades",
] as const;

/** Everything that shapes what provisioning ships. Contains no secret. */
export interface HostSettings {
  /** The admin (provisioning) account. */
  readonly adminUser: string;
  /** The block device of the state volume, or undefined to keep state on the root disk. */
  readonly volumeDevice?: string;
  /** What openclaw.json says. */
  readonly openclaw: OpenclawOptions;
  /** The operator's extra hostnames for the egress proxy (`clawkit:egressAllowlist`). */
  readonly egressAllowlist: readonly string[];
  /** Telegram chats the alert watcher writes to through the bot (`clawkit:alertTelegramChats`). */
  readonly alertTelegramChats?: readonly string[];
  /** The kit's encrypted backups (`clawkit:backupBucket`), or undefined for none. */
  readonly backup?: HostBackup;
  /** LAN ranges sshd also answers (`clawkit:sshFromLan`, an owned machine only). Default: none. */
  readonly sshFromLan?: readonly string[];
  /** The name an owned machine joins the tailnet with (`clawkit:tailnetJoin`). Default: it is on it already. */
  readonly tailnetHostname?: string;
}

/** The credential gateway's routes: each configured model provider, and Telegram when it is on. */
export function credentialRoutes(openclaw: OpenclawOptions): CredentialRoute[] {
  return [...openclaw.providers, ...(openclaw.telegramAllowFrom ? (["telegram"] as const) : [])];
}

/** Renders /etc/clawkit/clawkit.env: settings the host scripts source. No secret. */
export function renderHostEnv(settings: HostSettings): string {
  const values: Record<string, string> = {
    CLAWKIT_GATEWAY_PORT: String(settings.openclaw.gatewayPort),
    CLAWKIT_AGENT_USER: HOST.agentUser,
    CLAWKIT_STATE_DIR: HOST.stateDir,
    CLAWKIT_COMPILE_CACHE: HOST.compileCacheDir,
    CLAWKIT_VOLUME_DEVICE: settings.volumeDevice ?? "",
    CLAWKIT_PACKAGES: HOST_PACKAGES.join(" "),
    CLAWKIT_CREDGW_USER: HOST.credentialGatewayUser,
    CLAWKIT_CREDGW_PORT: String(HOST.credentialGatewayPort),
    CLAWKIT_CREDGW_CONFIG: HOST.credentialGatewayConfig,
    CLAWKIT_CREDGW_UNIT: HOST.credentialGatewayUnit,
    CLAWKIT_CREDENTIALS_DIR: HOST.credentialsDir,
    CLAWKIT_GATEWAY_UNIT: HOST.gatewayUnit,
    CLAWKIT_LOCKDOWN_FILE: HOST.lockdownFile,
    CLAWKIT_PROXY_LOCKDOWN: HOST.proxyLockdownInclude,
    CLAWKIT_CREDGW_LOCKDOWN: HOST.credentialGatewayLockdownInclude,
    // The routes secrets-apply.sh may write a credential for.
    CLAWKIT_CREDENTIAL_ROUTES: credentialRoutes(settings.openclaw).join(" "),
    CLAWKIT_ALERT_USER: HOST.alertUser,
    CLAWKIT_ALERT_UNIT: HOST.alertUnit,
    CLAWKIT_ALERT_PROXY_PORT: String(HOST.alertProxyPort),
    CLAWKIT_ALERT_RELAY_PORT: String(HOST.alertRelayPort),
    CLAWKIT_ALERT_WEBHOOK_FILE: HOST.alertWebhookFile,
    CLAWKIT_ALERT_PROXY_ACL: HOST.alertProxyAcl,
    // Only with the bot: the relay that sends to them lives on the Telegram route.
    CLAWKIT_ALERT_TELEGRAM_CHATS: settings.openclaw.telegramAllowFrom
      ? (settings.alertTelegramChats ?? []).join(" ")
      : "",
    CLAWKIT_ALERT_INTERVAL: String(ALERT_TIMING.intervalSeconds),
    CLAWKIT_ALERT_WINDOW: String(ALERT_TIMING.windowSeconds),
    CLAWKIT_ALERT_AUTH_FAILURES: String(ALERT_TIMING.authFailures),
    CLAWKIT_ALERT_GATEWAY_STARTS: String(ALERT_TIMING.gatewayStarts),
    CLAWKIT_SECRETS_STAMP: HOST.secretsAppliedStamp,
    CLAWKIT_BACKUP_USER: HOST.backupUser,
    CLAWKIT_BACKUP_UNIT: HOST.backupUnit,
    CLAWKIT_BACKUP_PROXY_PORT: String(HOST.backupProxyPort),
    CLAWKIT_BACKUP_DIR: HOST.backupSecretsDir,
    CLAWKIT_BACKUP_CACHE: BACKUP_CACHE_DIR,
    CLAWKIT_BACKUP_STATUS: HOST.backupStatusFile,
    CLAWKIT_BACKUP_HOST: BACKUP_SNAPSHOT_HOST,
    CLAWKIT_BACKUP_ARCHIVE: BACKUP_ARCHIVE_NAME,
    // Empty: no backups (the timer is off, and a restore has nowhere to come from).
    CLAWKIT_BACKUP_REPOSITORY: settings.backup ? backupRepository(settings.backup) : "",
    CLAWKIT_BACKUP_REGION: settings.backup?.region ?? "",
    CLAWKIT_BACKUP_KEEP_DAILY: settings.backup ? String(settings.backup.keepDaily) : "",
    CLAWKIT_RESTORE_FROM: settings.backup?.restoreFrom ?? "",
    CLAWKIT_RESTORED_STAMP: HOST.restoredStamp,
    // Only when set: a vps has no LAN, and its settings file stays as it was.
    ...(settings.sshFromLan?.length ? { CLAWKIT_SSH_FROM_LAN: settings.sshFromLan.join(" ") } : {}),
    ...(settings.tailnetHostname ? { CLAWKIT_TAILNET_HOSTNAME: settings.tailnetHostname } : {}),
  };
  return (
    "# Managed by clawkit: settings for the host scripts (no secrets here).\n" +
    Object.entries(values)
      .map(([key, value]) => {
        if (!/^[A-Za-z0-9 ._/:-]*$/.test(value))
          throw new Error(`unsafe value for ${key}: ${value}`);
        return `${key}="${value}"`;
      })
      .join("\n") +
    "\n"
  );
}

/** Every file a provisioning run ships, by bundle path. */
export function renderBundle(settings: HostSettings): BundleFile[] {
  const shared = bootstrapFiles({ adminUser: settings.adminUser });
  const shipped = (bundlePath: string, source: string, mode = 0o644): BundleFile => ({
    path: bundlePath,
    content: readShipped(source),
    mode,
  });
  return [
    ...shared.map((f) => ({ path: f.bundlePath, content: f.content, mode: f.mode })),
    shipped("scripts/provision.sh", "scripts/provision.sh", 0o755),
    shipped("scripts/preflight.sh", "scripts/preflight.sh", 0o755),
    shipped("scripts/secrets-apply.sh", "scripts/secrets-apply.sh", 0o755),
    shipped("scripts/host-lib.sh", "scripts/host-lib.sh", 0o755),
    shipped("scripts/install-runtime.sh", "scripts/install-runtime.sh", 0o755),
    shipped("scripts/compile-cache.sh", "scripts/compile-cache.sh", 0o755),
    shipped("scripts/proxy-self.sh", "scripts/proxy-self.sh", 0o755),
    shipped("scripts/openclaw-operator.sh", "scripts/openclaw-operator.sh", 0o755),
    shipped("scripts/lockdown.sh", "scripts/lockdown.sh", 0o755),
    ...lockdownFiles(),
    shipped("scripts/credgw-after-upgrade.sh", "scripts/credgw-after-upgrade.sh", 0o755),
    shipped("scripts/events.sh", "scripts/events.sh", 0o755),
    shipped("scripts/alert-watch.sh", "scripts/alert-watch.sh", 0o755),
    shipped("scripts/firewall-check.sh", "scripts/firewall-check.sh", 0o755),
    shipped("scripts/posture.sh", "scripts/posture.sh", 0o755),
    shipped("scripts/backup-lib.sh", "scripts/backup-lib.sh", 0o755),
    shipped("scripts/backup.sh", "scripts/backup.sh", 0o755),
    shipped("scripts/restore.sh", "scripts/restore.sh", 0o755),
    shipped("files/node/package.json", "node/package.json"),
    shipped("files/node/package-lock.json", "node/package-lock.json"),
    shipped("files/openclaw/package.json", "openclaw/package.json"),
    shipped("files/openclaw/package-lock.json", "openclaw/package-lock.json"),
    shipped("files/squid-clawkit.conf", "files/squid-clawkit.conf"),
    shipped("files/journald-clawkit.conf", "files/journald-clawkit.conf"),
    shipped("files/audit-clawkit.rules", "files/audit-clawkit.rules"),
    shipped("files/apt-auto-upgrades.conf", "files/apt-auto-upgrades.conf"),
    shipped("files/apt-unattended-clawkit.conf", "files/apt-unattended-clawkit.conf"),
    shipped("files/apt-credgw-upgrade.conf", "files/apt-credgw-upgrade.conf"),
    { path: "files/clawkit.env", content: renderHostEnv(settings), mode: 0o644 },
    { path: "files/openclaw.json", content: renderOpenclawConfig(settings.openclaw), mode: 0o644 },
    {
      path: "files/exec-approvals.json",
      content: renderExecApprovals(settings.openclaw),
      mode: 0o644,
    },
    { path: "files/openclaw-gateway.service", content: renderGatewayUnit(), mode: 0o644 },
    {
      path: "files/squid.conf",
      content: renderProxyConfig(
        egressAllowlist(settings.egressAllowlist),
        settings.backup?.endpoint,
      ),
      mode: 0o644,
    },
    {
      path: "files/credential-gateway.conf",
      content: renderCredentialGatewayConfig(
        credentialRoutes(settings.openclaw),
        settings.alertTelegramChats,
      ),
      mode: 0o644,
    },
    {
      path: `files/${HOST.credentialGatewayUnit}`,
      content: renderCredentialGatewayUnit(),
      mode: 0o644,
    },
    { path: `files/${HOST.alertUnit}`, content: renderAlertUnit(), mode: 0o644 },
    { path: `files/${HOST.backupUnit}`, content: renderBackupUnit(), mode: 0o644 },
    {
      path: `files/${HOST.backupUnit.replace(/\.service$/, ".timer")}`,
      content: renderBackupTimer(),
      mode: 0o644,
    },
    { path: `files/${HOST.firewallCheckUnit}`, content: renderFirewallCheckUnit(), mode: 0o644 },
    {
      path: `files/${HOST.firewallCheckUnit.replace(/\.service$/, ".timer")}`,
      content: renderFirewallCheckTimer(),
      mode: 0o644,
    },
  ];
}

/**
 * Both states of everything a lockdown switches: the firewall's agent block (the
 * open one also ships at first boot) and squid's and the credential gateway's
 * includes. provision.sh keeps them all on the host; lockdown.sh picks.
 */
function lockdownFiles(): BundleFile[] {
  const files: BundleFile[] = [
    {
      path: "files/ufw-agent-lockdown.rules",
      content: renderAgentEgressRules("ipv4", { lockdown: true }),
      mode: 0o644,
    },
    {
      path: "files/ufw-agent6-lockdown.rules",
      content: renderAgentEgressRules("ipv6", { lockdown: true }),
      mode: 0o644,
    },
  ];
  for (const lockdown of [false, true]) {
    const includes = renderLockdownIncludes(lockdown);
    files.push(
      { path: LOCKDOWN_FILES.proxy(lockdown), content: includes.proxy, mode: 0o644 },
      {
        path: LOCKDOWN_FILES.credentialGateway(lockdown),
        content: includes.credentialGateway,
        mode: 0o644,
      },
    );
  }
  return files;
}

/** The bundle as it travels: a gzip'd ustar, base64 for the command's stdin. */
export interface PackedBundle {
  readonly base64: string;
  /** sha256 of the uncompressed archive: the provisioning trigger. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Packs a bundle deterministically. */
export function packBundle(files: readonly BundleFile[]): PackedBundle {
  const tar = packTar(files);
  // zlib writes no timestamp into the gzip header, so the same tar packs the same way.
  const gz = zlib.gzipSync(tar, { level: 9 });
  return {
    base64: gz.toString("base64"),
    sha256: crypto.createHash("sha256").update(tar).digest("hex"),
    bytes: gz.length,
  };
}

/**
 * The remote command that unpacks the bundle from stdin into a fresh root-only
 * directory and runs provision.sh from it; with checkArrival, the connection's own
 * SSH_CONNECTION (expanded by the admin's shell, before sudo drops it) goes along, and
 * provision.sh checks the arrival again before any step. Plain text, no secret.
 */
function provisionCommand(checkArrival: boolean): string {
  const run = checkArrival
    ? `sh "$d/scripts/provision.sh" --arrived "$1"' sh "$SSH_CONNECTION"`
    : `sh "$d/scripts/provision.sh"'`;
  return `sudo sh -c 'set -e; d=$(mktemp -d); trap "rm -rf $d" EXIT; base64 -d | tar -xz -C "$d"; ${run}`;
}

/** Provisioning a vps. */
export const PROVISION_COMMAND = provisionCommand(false);

/** Provisioning a machine the operator owns (preflight.sh says why the arrival is checked). */
export const OWNED_PROVISION_COMMAND = provisionCommand(true);
