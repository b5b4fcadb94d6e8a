import * as path from "path";
import { HOST } from "./paths";
import { sharedSandbox } from "./unit-sandbox";

/** Where the kit's encrypted backups go: what the host needs to know, no secret in it. */
export interface HostBackup {
  /** The bucket's S3 endpoint host (https, port 443). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** The repository's path in the bucket. */
  readonly prefix: string;
  /** Days of daily snapshots `restic forget` keeps. */
  readonly keepDaily: number;
  /** "latest" or a snapshot id a new server's state starts from. */
  readonly restoreFrom?: string;
}

/** The restic repository of a backup setting (path-style: every S3-compatible store takes it). */
export function backupRepository(backup: HostBackup): string {
  return `s3:https://${backup.endpoint}/${backup.bucket}/${backup.prefix}`;
}

/** The hostname restic records in each snapshot: one name, whichever server made it. */
export const BACKUP_SNAPSHOT_HOST = "clawkit";

/** The file name the archive has inside each snapshot. */
export const BACKUP_ARCHIVE_NAME = "openclaw-state.tar.gz";

/**
 * Renders the backup unit: a oneshot run by root that makes openclaw's own consistent
 * archive of the state as the agent user, then hands it on stdin to restic run as the
 * backup user (the only user holding the key and the bucket's token, and whose only
 * way out is squid's backup port). Idle priority; private /tmp; loopback only; writes
 * only the state (openclaw records the attempt), the restic cache and the status file.
 */
export function renderBackupUnit(): string {
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit backup: the agent's state, encrypted, to the operator's bucket",
    "After=network-online.target squid.service",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=/bin/sh ${HOST.libDir}/scripts/backup.sh`,
    "UMask=0077",
    "Nice=10",
    "IOSchedulingClass=idle",
    "TimeoutStartSec=1h",
    "",
    "# Sandbox",
    ...sharedSandbox(),
    // root reads the agent's archive and starts each step as its own user.
    "CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_AUDIT_WRITE",
    `ReadWritePaths=${HOST.stateDir} ${path.posix.dirname(HOST.backupStatusFile)} ${BACKUP_CACHE_DIR}`,
    "RestrictSUIDSGID=yes",
    "PrivateMounts=yes",
    "SocketBindDeny=any",
    // The second wall: the unit's cgroup, restic included, reaches loopback only (squid's
    // backup port); the firewall narrows it to that port for the backup user.
    "IPAddressDeny=any",
    "IPAddressAllow=localhost",
    "",
  ].join("\n");
}

/** restic's cache: the backup user's own. */
export const BACKUP_CACHE_DIR = `/var/cache/${HOST.backupUser}`;

/** The backup's timer: nightly, at a time spread over an hour, caught up after downtime. */
export function renderBackupTimer(): string {
  return [
    "# Managed by clawkit.",
    "[Unit]",
    "Description=clawkit: back up the agent's state every night",
    "",
    "[Timer]",
    "OnCalendar=*-*-* 03:00:00",
    "RandomizedDelaySec=1h",
    "Persistent=true",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}
