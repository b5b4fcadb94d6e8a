#!/bin/sh
# restic for the backup scripts (backup.sh, restore.sh). Sourced, never run; needs
# lib.sh and /etc/clawkit/clawkit.env sourced first.

# restic_as_backup ARGS...: restic as the backup user, the only user that reads the
# repository key and the bucket's token (backup_key_file: another key file of its
# directory, for a re-key). Its environment holds where they are,
# never what they are; its one way out is squid's backup port, which reaches the
# bucket's endpoint only.
restic_as_backup() {
  runuser -u "$CLAWKIT_BACKUP_USER" -- env -i PATH=/usr/bin:/bin HOME=/nonexistent \
    RESTIC_REPOSITORY="$CLAWKIT_BACKUP_REPOSITORY" \
    RESTIC_PASSWORD_FILE="${backup_key_file:-$CLAWKIT_BACKUP_DIR/repository-key}" \
    AWS_SHARED_CREDENTIALS_FILE="$CLAWKIT_BACKUP_DIR/s3-credentials" \
    RESTIC_CACHE_DIR="$CLAWKIT_BACKUP_CACHE" \
    HTTPS_PROXY="http://127.0.0.1:$CLAWKIT_BACKUP_PROXY_PORT" \
    restic -o s3.region="$CLAWKIT_BACKUP_REGION" -o s3.bucket-lookup=path "$@"
}

# backups_configured: a bucket is set and secrets-apply has written its key and token.
backups_configured() {
  [ -n "$CLAWKIT_BACKUP_REPOSITORY" ] && [ -s "$CLAWKIT_BACKUP_DIR/repository-key" ] &&
    [ -s "$CLAWKIT_BACKUP_DIR/s3-credentials" ]
}

# rekey_repository NEW_KEY_FILE: the repository opens with the key in NEW_KEY_FILE
# (the backup user's to read) instead of the installed one: the new key is added, proven
# to open it, and only then is the old one removed. A repository that does not exist
# yet needs nothing; one the old key does not open is left as it is (the new key may
# be the one it already has). Fails when the bucket cannot be asked.
rekey_repository() {
  if ! opened=$(restic_as_backup --no-cache cat config 2>&1 >/dev/null); then
    case $opened in
      *"Is there a repository at the following location?"*) return 0 ;;
      *"wrong password"*) return 0 ;;
    esac
    log "restic: $(printf '%s\n' "$opened" | head -n 2)"
    return 1
  fi
  old_id=$(restic_as_backup --no-cache key list --json |
    sed -n 's/.*"current":true,"id":"\([0-9a-f]*\)".*/\1/p; s/.*"id":"\([0-9a-f]*\)","current":true.*/\1/p' | head -n 1)
  restic_as_backup --no-cache key add --new-password-file "$1" >/dev/null || return 1
  backup_key_file=$1 restic_as_backup --no-cache cat config >/dev/null 2>&1 || return 1
  if [ -n "$old_id" ]; then
    backup_key_file=$1 restic_as_backup --no-cache key remove "$old_id" >/dev/null || return 1
  fi
  log "backup repository re-keyed: the new key opens it, the old one no longer does"
}
