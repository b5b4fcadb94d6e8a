import { HOST } from "./paths";
import { sharedSandbox } from "./unit-sandbox";

/** How the alert watcher paces itself; none of it is a secret. */
export const ALERT_TIMING = {
  /** Seconds between two looks at the logs. */
  intervalSeconds: 5,
  /** At most one alert of a kind in this many seconds (later ones are counted, not sent). */
  windowSeconds: 600,
  /** Refused gateway logins within a minute that make an alert. */
  authFailures: 5,
  /** Gateway starts within the window that make an alert. */
  gatewayStarts: 4,
} as const;

/** The watcher's state directory (systemd's StateDirectory=). */
export const ALERT_STATE_DIR = `/var/lib/${HOST.alertUser}`;

/**
 * Renders the alert watcher's unit. It runs as its own user, reads the journal
 * (group systemd-journal) and squid's log (group proxy), keeps its dedupe state in
 * its own state directory, and may open connections to loopback only: squid's
 * alert port and the credential gateway's alert relay (the firewall narrows that
 * to those two ports). No capability, no secret in the unit: the webhook lives in
 * a file only this user can read. Target: exposure ≤ 2.0.
 */
export function renderAlertUnit(): string {
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit alert watcher: tells the operator about blocked egress, denied exec, failed logins, restarts, lockdowns",
    "After=network-online.target squid.service",
    "Wants=network-online.target",
    "StartLimitIntervalSec=300",
    "StartLimitBurst=10",
    "",
    "[Service]",
    "Type=simple",
    `User=${HOST.alertUser}`,
    `Group=${HOST.alertUser}`,
    "SupplementaryGroups=systemd-journal proxy",
    `ExecStart=/bin/sh ${HOST.libDir}/scripts/alert-watch.sh`,
    "Restart=always",
    "RestartSec=5s",
    "UMask=0077",
    `StateDirectory=${HOST.alertUser}`,
    "StateDirectoryMode=0700",
    "",
    "# Sandbox",
    ...sharedSandbox(),
    "CapabilityBoundingSet=",
    "PrivateMounts=yes",
    "RestrictSUIDSGID=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallFilter=~@privileged @mount @debug @cpu-emulation @obsolete @raw-io @reboot @swap @module @clock",
    "IPAddressDeny=any",
    "IPAddressAllow=localhost",
    "SocketBindDeny=any",
    "TasksMax=16",
    "MemoryMax=64M",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/**
 * Root's check that the agent's firewall rules are loaded (IPv4 and, where ufw
 * manages it, IPv6), run every minute by a timer. It logs only a miss, to the
 * journal under its own identifier, where the watcher (which may not read the
 * firewall) finds it.
 */
export function renderFirewallCheckUnit(): string {
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit: are the agent's firewall rules loaded?",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=/bin/sh ${HOST.libDir}/scripts/firewall-check.sh`,
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "",
  ].join("\n");
}

/** The timer of the firewall check: every minute, from boot. */
export function renderFirewallCheckTimer(): string {
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit: check the agent's firewall rules every minute",
    "",
    "[Timer]",
    "OnBootSec=1min",
    "OnUnitActiveSec=1min",
    "AccuracySec=5s",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}
