#!/bin/sh
# restore.sh SNAPSHOT (root; clawkit-secrets-apply runs it on a new server before the
# gateway first starts, when clawkit:restoreFrom is set): the agent's state from the
# operator's bucket. restic, as the backup user, decrypts the snapshot and checks
# every piece of it against the repository key (a wrong key or a changed byte stops
# it here); openclaw, as the agent user, verifies the archive and stages it; then
# the staged state replaces the state directory (whatever was there is kept aside,
# never deleted), and the kit's exec approvals are applied again over the restored
# ones, so a restore never widens what the agent may run. Any failure restores
# nothing and exits non-zero.
set -eu
umask 077
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env
. "$here/host-lib.sh"
. "$here/backup-lib.sh"

[ $# -eq 1 ] || die "usage: restore.sh SNAPSHOT (latest or a snapshot id)"
wanted=$1
case $wanted in
  latest) ;;
  *[!0-9a-f]*) die "restore: $wanted is neither latest nor a snapshot id" ;;
esac
backups_configured || die "restore: no bucket, key or token on this host (clawkit:backupBucket and its secrets)"
if systemctl is-active --quiet "$CLAWKIT_GATEWAY_UNIT"; then
  die "restore: the gateway is running; a restore is for a server whose gateway has not started"
fi

state="$CLAWKIT_STATE_DIR/state"
# Staged beside the state, on the same filesystem, so it moves into place whole.
stage=$(mktemp -d "$CLAWKIT_STATE_DIR/.clawkit-restore.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chown "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER" "$stage"

# The snapshot's id, resolved once: "latest" means the same snapshot throughout.
# No cache: what a restore reads comes from the bucket, checked, never from a copy on
# this host that an earlier, failed attempt (a changed byte) may have left.
snapshot=$(restic_as_backup --no-cache snapshots --json --tag clawkit "$wanted" 2>"$stage/restic.err" |
  sed -n 's/.*"id":"\([0-9a-f]\{64\}\)".*/\1/p' | head -n 1) || true
if [ -z "$snapshot" ]; then
  log "restic: $(head -n 2 "$stage/restic.err")"
  die "restore: no snapshot $wanted in the repository, or the key does not open it; nothing restored"
fi
if ! restic_as_backup --no-cache dump "$snapshot" "/$CLAWKIT_BACKUP_ARCHIVE" >"$stage/archive.tar.gz" 2>"$stage/restic.err"; then
  log "restic: $(head -n 2 "$stage/restic.err")"
  die "restore: snapshot ${snapshot%"${snapshot#????????}"} could not be read whole (a wrong key or a changed byte); nothing restored"
fi
chown "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER" "$stage/archive.tar.gz"
if ! verdict=$(openclaw_as_agent /etc/clawkit/openclaw.json backup restore "$stage/archive.tar.gz" \
  --target "$stage/extracted" --json 2>&1); then
  log "openclaw: $(printf '%s\n' "$verdict" | tail -n 3)"
  die "restore: openclaw refused the archive; nothing restored"
fi

# The manifest says where each part came from: the state must be this host's state
# directory, and nothing but the config (which the kit renders) may live elsewhere.
# shellcheck disable=SC2016 # JavaScript, not shell
staged=$(/opt/clawkit/node/node -e '
const fs = require("fs");
const [stage, state] = process.argv.slice(1);
const root = fs.readdirSync(stage + "/extracted");
if (root.length !== 1) throw new Error("the archive has more than one root");
const manifest = JSON.parse(fs.readFileSync(`${stage}/extracted/${root[0]}/manifest.json`, "utf8"));
const inside = (p) => p === state || p.startsWith(state + "/");
const states = manifest.assets.filter((a) => a.kind === "state");
if (states.length !== 1 || states[0].sourcePath !== state)
  throw new Error(`the state in the snapshot was not at ${state}`);
for (const a of manifest.assets)
  if (a.kind !== "config" && !inside(a.sourcePath))
    throw new Error(`the snapshot holds a ${a.kind} outside the state directory`);
const path = states[0].archivePath;
if (path.split("/").includes("..") || !path.startsWith(root[0] + "/")) throw new Error("a path escapes the archive");
console.log(`${stage}/extracted/${path}`);
' "$stage" "$state" 2>&1) || die "restore: ${staged##*Error: }; nothing restored"
[ -d "$staged" ] || die "restore: the archive holds no state directory; nothing restored"

if [ -n "$(ls -A "$state" 2>/dev/null)" ]; then
  aside="$state.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$state" "$aside"
  log "the state that was here is kept in $aside"
else
  rm -rf "$state"
fi
mv "$staged" "$state"
chown -R "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER" "$state"
chmod 700 "$state"
apply_approvals /etc/clawkit/exec-approvals.json
printf 'requested=%s snapshot=%s time=%s\n' "$wanted" "$snapshot" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$CLAWKIT_RESTORED_STAMP.new"
chmod 644 "$CLAWKIT_RESTORED_STAMP.new"
mv -f "$CLAWKIT_RESTORED_STAMP.new" "$CLAWKIT_RESTORED_STAMP"
logger -t clawkit-backup "restored snapshot $snapshot"
log "restored the state from snapshot $snapshot"
