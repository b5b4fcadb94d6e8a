#!/bin/sh
# restic for the backup scripts (backup.sh, restore.sh). Sourced, never run; needs
# lib.sh and /etc/clawkit/clawkit.env sourced first.

# restic_as_backup ARGS...: restic as the backup user, the only user that reads the
# repository key and the bucket's token. Its environment holds where they are,
# never what they are; its one way out is squid's backup port, which reaches the
# bucket's endpoint only.
restic_as_backup() {
  runuser -u "$CLAWKIT_BACKUP_USER" -- env -i PATH=/usr/bin:/bin HOME=/nonexistent \
    RESTIC_REPOSITORY="$CLAWKIT_BACKUP_REPOSITORY" \
    RESTIC_PASSWORD_FILE="$CLAWKIT_BACKUP_DIR/repository-key" \
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
