import { HOST } from "./paths";
import { sharedSandbox } from "./unit-sandbox";

/**
 * Renders /etc/systemd/system/openclaw-gateway.service. The gateway runs as the
 * unprivileged agent user in a sandbox that can reach loopback only (the egress
 * proxy does the rest), write only its state directory, and see no other process.
 * Its one secret, the gateway token, comes from a root-only EnvironmentFile that
 * systemd reads before it drops privileges; model keys and the bot token stay
 * with the credential gateway. The config is read-only. Target: `systemd-analyze security` ≤ 2.0.
 */
export function renderGatewayUnit(): string {
  const proxy = `http://127.0.0.1:${HOST.proxyPort}`;
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=OpenClaw gateway (clawkit)",
    "Documentation=https://github.com/openclaw/openclaw",
    `After=network-online.target squid.service ${HOST.credentialGatewayUnit}`,
    `Wants=network-online.target squid.service ${HOST.credentialGatewayUnit}`,
    `RequiresMountsFor=${HOST.stateDir}`,
    `ConditionPathExists=${HOST.secretsFile}`,
    // A lockdown (clawkit-lockdown) keeps it down: no restart, timer or reboot starts it.
    `ConditionPathExists=!${HOST.lockdownFile}`,
    "StartLimitIntervalSec=300",
    "StartLimitBurst=10",
    "",
    "[Service]",
    "Type=simple",
    `User=${HOST.agentUser}`,
    `Group=${HOST.agentUser}`,
    `ExecStart=${HOST.nodeBinary} ${HOST.runtimeDir}/node_modules/openclaw/openclaw.mjs gateway run`,
    `EnvironmentFile=${HOST.secretsFile}`,
    `Environment=HOME=${HOST.stateDir}`,
    `Environment=OPENCLAW_STATE_DIR=${HOST.stateDir}/state`,
    `Environment=OPENCLAW_CONFIG_PATH=${HOST.openclawConfig}`,
    "Environment=OPENCLAW_CONFIG_READONLY=1",
    "# openclaw's switch for managed installs: no self-update, no runtime installs.",
    "Environment=OPENCLAW_NIX_MODE=1",
    `Environment=OPENCLAW_PROXY_URL=${proxy}`,
    `Environment=HTTPS_PROXY=${proxy} HTTP_PROXY=${proxy} https_proxy=${proxy} http_proxy=${proxy}`,
    "Environment=NO_PROXY=127.0.0.1,::1,localhost no_proxy=127.0.0.1,::1,localhost",
    "Environment=NODE_ENV=production",
    "# Root-owned and outside ReadWritePaths: the gateway reads it, nothing in it can write it.",
    `Environment=NODE_COMPILE_CACHE=${HOST.compileCacheDir}`,
    `WorkingDirectory=${HOST.stateDir}`,
    "Restart=always",
    // Soon after a crash; StartLimitBurst still stops a crash loop.
    "RestartSec=200ms",
    "TimeoutStopSec=20",
    "UMask=0077",
    "",
    "# Sandbox",
    ...sharedSandbox(),
    "CapabilityBoundingSet=",
    `ReadWritePaths=${HOST.stateDir}`,
    "PrivateUsers=yes",
    // Not RestrictSUIDSGID: systemd enforces it by failing openat2() with ENOSYS, and
    // openclaw's native file-safety layer then refuses to take its own lock.
    // NoNewPrivileges already makes set-uid bits worthless to this service.
    "SystemCallFilter=~@privileged @resources @mount @debug @cpu-emulation @obsolete @raw-io @reboot @swap @module @clock",
    "# V8's JIT needs writable+executable memory, so MemoryDenyWriteExecute stays off.",
    "IPAddressDeny=any",
    "IPAddressAllow=localhost",
    "LimitNOFILE=65536",
    "TasksMax=256",
    "MemoryMax=3G",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
