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
} as const;

/** The directory holding this file: cloud-init/, where the shipped scripts live. */
export const CLOUD_INIT_DIR = __dirname;

/** Reads a file shipped in cloud-init/ (scripts, the openclaw lockfile). */
export function readShipped(relative: string): string {
  return fs.readFileSync(path.join(CLOUD_INIT_DIR, relative), "utf8");
}
