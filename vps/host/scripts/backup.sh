#!/bin/sh
# clawkit-backup.service (root, nightly by its timer, or by hand with
# `sudo systemctl start clawkit-backup`): openclaw's own consistent archive of the
# agent's state (SQLite's online backup API, verified), made as the agent user,
# handed on stdin to restic as the backup user, which encrypts it on this host with
# the repository key and ships it to the operator's bucket; then the snapshots past
# the retention are forgotten and pruned. The outcome lands in the status file
# (clawkit-posture) and, on failure, in the journal under clawkit-backup (the alert
# watcher). The archive never leaves this host unencrypted and is removed at exit.
set -eu
umask 077
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env
. "$here/host-lib.sh"
. "$here/backup-lib.sh"

started=$(date +%s)
# record RESULT SNAPSHOT: the status file, replaced whole; no secret in it.
record() {
  printf 'time=%s result=%s snapshot=%s seconds=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" \
    $(($(date +%s) - started)) >"$CLAWKIT_BACKUP_STATUS.new"
  chmod 644 "$CLAWKIT_BACKUP_STATUS.new"
  mv -f "$CLAWKIT_BACKUP_STATUS.new" "$CLAWKIT_BACKUP_STATUS"
}
# failed WHY: recorded, told to the alert watcher, and the unit fails.
failed() {
  record failed -
  logger -t clawkit-backup "backup failed: $1"
  die "backup failed: $1"
}

backups_configured || failed "no bucket, key or token on this host (clawkit:backupBucket and its secrets)"
# A lockdown keeps the agent's state as it was: a backup would run openclaw as the agent
# and record itself in the state. The volume keeps the state meanwhile.
if locked_down; then
  record skipped -
  log "locked down: no backup until clawkit-lockdown off"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work" "$work.json"' EXIT
chown "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER" "$work"
if ! openclaw_as_agent /etc/clawkit/openclaw.json backup create --output "$work" --verify --json >"$work.json" 2>&1; then
  tail -n 5 "$work.json" >&2
  failed "openclaw could not make a verified archive of the state"
fi
set -- "$work"/*.tar.gz
# What root reads and hands on must be the agent's archive, not a link it made to elsewhere.
if [ $# -ne 1 ] || [ -L "$1" ] || [ ! -f "$1" ]; then failed "openclaw made no archive"; fi
archive=$1

# A first backup makes the repository; init never overwrites one that exists, so a
# wrong key fails here rather than starting a second repository over the first.
if ! opened=$(restic_as_backup cat config 2>&1 >/dev/null); then
  if ! restic_as_backup init >/dev/null 2>&1; then
    log "restic: $(printf '%s\n' "$opened" | head -n 2)"
    failed "the repository does not open with this key, and no new one could be made there"
  fi
  log "made the backup repository"
fi

summary=$(restic_as_backup backup --json --quiet --stdin --stdin-filename "$CLAWKIT_BACKUP_ARCHIVE" \
  --tag clawkit --host "$CLAWKIT_BACKUP_HOST" <"$archive") || failed "restic could not store the archive"
snapshot=$(printf '%s\n' "$summary" | sed -n 's/.*"snapshot_id":"\([0-9a-f]*\)".*/\1/p' | tail -n 1)
[ -n "$snapshot" ] || failed "restic reported no snapshot"
restic_as_backup forget --quiet --tag clawkit --keep-daily "$CLAWKIT_BACKUP_KEEP_DAILY" --prune >/dev/null ||
  failed "snapshot $snapshot stored, but the old ones could not be pruned"
record ok "$snapshot"
logger -t clawkit-backup "backup done: snapshot $snapshot"
log "backup done: snapshot $snapshot in $(($(date +%s) - started))s"
