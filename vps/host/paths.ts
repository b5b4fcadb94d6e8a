import * as fs from "fs";
import * as path from "path";

/** Where clawkit puts things on the server. One place, so scripts, units and tests agree. */
export const HOST = {
  libDir: "/usr/local/lib/clawkit",
  etcDir: "/etc/clawkit",
  secretsFile: "/etc/clawkit/secrets.env",
  settingsFile: "/etc/clawkit/clawkit.env",
  openclawConfig: "/etc/clawkit/openclaw.json",
  runtimeDir: "/opt/clawkit/openclaw",
  nodeBinary: "/opt/clawkit/node/node",
  stateDir: "/var/lib/openclaw",
  /** V8 compile cache for the gateway: filled by root at provisioning, read-only to the service. */
  compileCacheDir: "/var/cache/clawkit/node-compile-cache",
  agentUser: "openclaw",
  proxyPort: 3128,
  /** The user squid runs as (Debian's). */
  proxyUser: "proxy",
  /** Every address of the host, one a line: written by proxy-self.sh at each squid start. */
  proxySelfAddresses: "/etc/squid/clawkit-self.acl",
  gatewayUnit: "openclaw-gateway.service",
  /** The credential gateway: holds the model keys and bot token, forwards the agent's calls. */
  credentialGatewayPort: 3129,
  /** The user its nginx workers run as (never the agent user). */
  credentialGatewayUser: "clawkit-credgw",
  credentialGatewayConfig: "/etc/clawkit/credential-gateway/nginx.conf",
  /** Root-only (0700): one file of nginx directives a route, written by secrets-apply.sh. */
  credentialsDir: "/etc/clawkit/credential-gateway/credentials",
  credentialGatewayUnit: "clawkit-credential-gateway.service",
  tailscaleKeyFile: "/run/clawkit/tailscale-authkey",
  /** Exists while the host is locked down (clawkit-lockdown): every piece reads it. */
  lockdownFile: "/etc/clawkit/lockdown",
  /** squid's and the credential gateway's lockdown includes: refuse the agent, or nothing. */
  proxyLockdownInclude: "/etc/squid/clawkit-lockdown.conf",
  credentialGatewayLockdownInclude: "/etc/clawkit/credential-gateway/lockdown.conf",
  /** The alert watcher's own user: reads the logs, reaches only the alert destinations. */
  alertUser: "clawkit-alert",
  alertUnit: "clawkit-alert.service",
  /** squid's second port: CONNECT to the webhook's host only, for the alert user only. */
  alertProxyPort: 3130,
  /** The credential gateway's second listener: Telegram sendMessage to the alert chats only, for the alert user only. */
  alertRelayPort: 3131,
  /** The webhook as a curl config (`url = "…"`): root:clawkit-alert 0640, written by secrets-apply.sh. */
  alertWebhookFile: "/etc/clawkit/alert/webhook.curl",
  /** The webhook's host, squid dstdomain form: root:proxy 0640, written by secrets-apply.sh. */
  alertProxyAcl: "/etc/squid/clawkit-alert.acl",
  /** When secrets-apply.sh last changed a secret (UTC, ISO 8601): no secret in it. */
  secretsAppliedStamp: "/etc/clawkit/secrets-applied",
  /** Root's check that the agent's firewall rules are loaded, every minute, logging only a miss. */
  firewallCheckUnit: "clawkit-firewall-check.service",
  /** The backup shipper's own user: holds the backup key and bucket credentials, reaches only the bucket. */
  backupUser: "clawkit-backup",
  /** The nightly backup (a oneshot started by its timer, or by hand: systemctl start). */
  backupUnit: "clawkit-backup.service",
  /** squid's third port: CONNECT to the backup endpoint only, for the backup user only. */
  backupProxyPort: 3132,
  /** root:clawkit-backup 0750: the repository key and the bucket's credentials (0640), written by secrets-apply.sh. */
  backupSecretsDir: "/etc/clawkit/backup",
  /** The last backup's outcome (time, result, snapshot, seconds): no secret in it, for clawkit-posture. */
  backupStatusFile: "/var/lib/clawkit/backup-status",
  /** On the state volume: which snapshot the state was restored from (clawkit:restoreFrom), once. */
  restoredStamp: "/var/lib/openclaw/.clawkit-restored",
} as const;

/** The directory holding this file: vps/host/, where the shipped scripts live. */
export const CLOUD_INIT_DIR = __dirname;

/** Reads a file shipped in vps/host/ (scripts, the openclaw lockfile). */
export function readShipped(relative: string): string {
  return fs.readFileSync(path.join(CLOUD_INIT_DIR, relative), "utf8");
}
