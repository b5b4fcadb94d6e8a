#!/bin/sh
# Installs the host's secrets from standard input and proves they work; what does
# not work is put back as it was and the command exits non-zero. Two destinations:
#   OPENCLAW_GATEWAY_TOKEN=...  the gateway's only secret (root-only env file);
#                               a new one restarts the gateway.
#   CREDENTIAL_<ROUTE>=...      a credential for the credential gateway (one
#                               root-only file a route); a new one is reloaded
#                               gracefully: the gateway keeps running, no stream is cut.
#   ALERT_WEBHOOK=https://...   where alerts go: a file only the alert watcher's user
#                               reads, and its host in squid's alert list (squid
#                               reconfigured). Absent: no webhook alerts.
#   BACKUP_KEY=...              the backup repository's key, and the bucket's token
#   BACKUP_ACCESS_KEY_ID=...    (BACKUP_ACCESS_KEY_ID, BACKUP_SECRET_ACCESS_KEY): files
#   BACKUP_SECRET_ACCESS_KEY=.. only the backup user reads. Absent: no backups. A new
#                               key re-keys the repository (added, proven, old removed).
# On a new server (its first gateway token) with clawkit:restoreFrom set, the state
# is restored from the bucket (restore.sh) before the gateway first starts.
# Secrets travel only on stdin and in root-only files: never in argv, the
# environment of this script, or a log.
#   clawkit-secrets-apply          read KEY=value lines on stdin and apply them
#   clawkit-secrets-apply --check  prove the installed secrets work
# In a lockdown (clawkit-lockdown) the gateway is neither restarted nor checked.
set -eu
umask 077
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
. "$here/host-lib.sh"
. "$here/backup-lib.sh"

etc=${CLAWKIT_ETC:-/etc/clawkit}
secrets="$etc/secrets.env"
previous="$etc/secrets.env.prev"
unit=openclaw-gateway.service
# shellcheck source=/dev/null
. "$etc/clawkit.env"
port=$CLAWKIT_GATEWAY_PORT
credentials=$CLAWKIT_CREDENTIALS_DIR
credgw=$CLAWKIT_CREDGW_UNIT
ready_timeout=${CLAWKIT_READY_TIMEOUT:-90}
# An https URL on port 443 with a DNS name, no user or password, and no character a
# curl config's quoted string would interpret (vps/host/secrets.ts checks the same).
webhook_form='https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:443)?(/[A-Za-z0-9._~:/?&=%+,@-]*)?'

# valid FILE: one KEY=value a line, no key twice, a gateway token of at least 32
# characters, credentials only for the routes this host has, and no character that
# systemd's EnvironmentFile or nginx's quoting would interpret.
valid() {
  [ -s "$1" ] || return 1
  if grep -v '^ALERT_WEBHOOK=' "$1" | grep -qvE '^[A-Z][A-Z0-9_]*=[A-Za-z0-9._:+/=@-]+$'; then return 1; fi
  if grep '^ALERT_WEBHOOK=' "$1" | grep -qvE "^ALERT_WEBHOOK=$webhook_form\$"; then return 1; fi
  if [ -n "$(cut -d= -f1 "$1" | sort | uniq -d)" ]; then return 1; fi
  keys=$(cut -d= -f1 "$1")
  for key in $keys; do
    case $key in
      OPENCLAW_GATEWAY_TOKEN | ALERT_WEBHOOK | BACKUP_KEY | BACKUP_ACCESS_KEY_ID | BACKUP_SECRET_ACCESS_KEY) ;;
      CREDENTIAL_*)
        case " $CLAWKIT_CREDENTIAL_ROUTES " in
          *" $(printf '%s' "${key#CREDENTIAL_}" | tr '[:upper:]' '[:lower:]') "*) ;;
          *) return 1 ;;
        esac
        ;;
      *) return 1 ;;
    esac
  done
  # The backup's three come together, and the key is long enough to rest on.
  backup_lines=$(grep -c '^BACKUP_' "$1" || true)
  if [ "$backup_lines" -ne 0 ] && [ "$backup_lines" -ne 3 ]; then return 1; fi
  if [ "$backup_lines" -eq 3 ] && ! grep -qE '^BACKUP_KEY=.{32,}$' "$1"; then return 1; fi
  grep -qE '^OPENCLAW_GATEWAY_TOKEN=.{32,}$' "$1"
}

# restarts: how often systemd has restarted the gateway since it was last started.
restarts() { systemctl show -p NRestarts --value "$unit"; }

# healthy FILE: the gateway has finished starting (/startupz; not /readyz, which
# also waits for channels such as Telegram to reach their servers), refuses a wrong
# token and accepts the token in FILE. The token goes to curl in a header file, not in argv. A
# gateway that crashes meanwhile (systemd restarted it) is not healthy: no need
# to wait out the timeout.
healthy() {
  header=$(mktemp /run/clawkit-auth.XXXXXX)
  token=$(sed -n 's/^OPENCLAW_GATEWAY_TOKEN=//p' "$1")
  printf 'Authorization: Bearer %s\n' "$token" >"$header"
  unset token
  body='{"tool":"sessions_list","args":{}}'
  url="http://127.0.0.1:$port"
  deadline=$(($(date +%s) + ready_timeout))
  ok=1
  crashes=$(restarts)
  while [ "$(date +%s)" -lt "$deadline" ] && [ "$(restarts)" = "$crashes" ]; do
    # The token can be refused a moment after start-up: poll until it is accepted.
    if curl -fsS -o /dev/null --max-time 3 "$url/startupz" 2>/dev/null; then
      good=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H @"$header" \
        -H 'Content-Type: application/json' -d "$body" "$url/tools/invoke" || true)
      bad=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H 'Authorization: Bearer clawkit-health-check-wrong-token' \
        -H 'Content-Type: application/json' -d "$body" "$url/tools/invoke" || true)
      if [ "$good" = 200 ] && [ "$bad" = 401 ]; then
        ok=0
        break
      fi
      # A gateway that lets a wrong token in is never healthy: no point waiting.
      if [ "$bad" = 200 ]; then break; fi
    fi
    sleep 0.2
  done
  shred -u "$header"
  return $ok
}

# restart: a gateway that fails to start is for healthy() to judge, not a reason to
# stop here with the new token in place and no rollback.
restart() {
  systemctl daemon-reload
  systemctl restart "$unit" || log "the gateway did not start"
}

# credgw_generation: which credentials the credential gateway's workers hold.
credgw_generation() {
  curl -fsS --max-time 3 "http://127.0.0.1:$CLAWKIT_CREDGW_PORT/clawkit-health" 2>/dev/null || true
}

# credgw_serves GENERATION: the credential gateway answers with those credentials
# (a reload is asynchronous: the new workers take over within a moment).
credgw_serves() {
  tries=0
  while [ "$tries" -lt 50 ]; do
    [ "$(credgw_generation)" = "$1" ] && return 0
    tries=$((tries + 1))
    sleep 0.2
  done
  return 1
}

# render_credentials INPUT DIR: one file of nginx directives a route with a
# credential in INPUT (the value is already checked: no quote, no $, no space),
# and a fresh generation mark.
render_credentials() {
  for route in $CLAWKIT_CREDENTIAL_ROUTES; do
    value=$(sed -n "s/^CREDENTIAL_$(printf '%s' "$route" | tr '[:lower:]' '[:upper:]')=//p" "$1")
    [ -n "$value" ] || continue
    # shellcheck disable=SC2016 # an nginx variable, not a shell one
    printf 'set $clawkit_credential "%s";\n' "$value" >"$2/$route.conf"
  done
  unset value
}

# same_credentials A B: the route files in A and B are the same (generation aside).
same_credentials() {
  for f in "$1"/*.conf "$2"/*.conf; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    [ "$name" = generation.conf ] && continue
    cmp -s "$1/$name" "$2/$name" || return 1
  done
  return 0
}

# credgw_load: the credential gateway reads its credentials again: a graceful
# reload when it runs (no stream is cut), a start when it does not.
credgw_load() {
  if systemctl is-active --quiet "$credgw"; then
    systemctl reload "$credgw"
  else
    systemctl restart "$credgw"
  fi
}

# swap_in DIR: the credential files become DIR's (each copied whole; nginx reads them only at a reload).
swap_in() {
  find "$credentials" -mindepth 1 -maxdepth 1 -name '*.conf' -exec shred -u {} +
  cp -p "$1"/*.conf "$credentials"/ 2>/dev/null || true
}

# apply_credentials NEW_DIR: swap the credential files for NEW_DIR's, reload the
# credential gateway and wait until its workers hold them; on any failure put the
# previous files back and reload again.
apply_credentials() {
  generation=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  # shellcheck disable=SC2016 # an nginx variable, not a shell one
  printf 'set $clawkit_generation "%s";\n' "$generation" >"$1/generation.conf"
  backup=$(mktemp -d "$credentials.prev.XXXXXX")
  cp -p "$credentials"/*.conf "$backup"/ 2>/dev/null || true
  swap_in "$1"
  if credgw_load && credgw_serves "$generation"; then
    find "$backup" -type f -exec shred -u {} +
    rmdir "$backup"
    log "credentials applied: the credential gateway reloaded, the gateway kept running"
    return 0
  fi
  log "the credential gateway did not take the new credentials; rolling back"
  swap_in "$backup"
  find "$backup" -type f -exec shred -u {} +
  rmdir "$backup"
  credgw_load || true
  return 1
}

# apply_webhook INPUT: the webhook's curl config (root:alert user 0640) and its host
# in squid's alert list (root:proxy 0640); squid reconfigured when the host changes.
apply_webhook() {
  url=$(sed -n 's/^ALERT_WEBHOOK=//p' "$1")
  next=$(mktemp "$CLAWKIT_ALERT_WEBHOOK_FILE.XXXXXX")
  acl=$(mktemp "$CLAWKIT_ALERT_PROXY_ACL.XXXXXX")
  if [ -n "$url" ]; then
    printf 'url = "%s"\n' "$url" >"$next"
    printf '%s\n' "$url" | sed -E 's#^https://([^/:]+).*#\1#' | tr '[:upper:]' '[:lower:]' >"$acl"
  fi
  unset url
  chown "root:$CLAWKIT_ALERT_USER" "$next"
  chmod 640 "$next"
  if [ -s "$next" ]; then
    if cmp -s "$next" "$CLAWKIT_ALERT_WEBHOOK_FILE"; then shred -u "$next"; else
      mv -f "$next" "$CLAWKIT_ALERT_WEBHOOK_FILE"
      stamp=yes
    fi
  else
    rm -f "$next"
    if [ -e "$CLAWKIT_ALERT_WEBHOOK_FILE" ]; then
      shred -u "$CLAWKIT_ALERT_WEBHOOK_FILE"
      stamp=yes
    fi
  fi
  chown root:proxy "$acl"
  chmod 640 "$acl"
  if cmp -s "$acl" "$CLAWKIT_ALERT_PROXY_ACL"; then rm -f "$acl"; else
    mv -f "$acl" "$CLAWKIT_ALERT_PROXY_ACL"
    # squid reads the list at its start too: a squid not running yet needs nothing.
    systemctl try-reload-or-restart squid
    log "alert webhook host applied: squid reconfigured"
  fi
}

# apply_backup_secrets INPUT: the repository key and the bucket's token in files only
# the backup user reads (root:backup user 0640, in a directory of the same), each
# replaced whole; both removed when INPUT has none (backups off).
apply_backup_secrets() {
  key=$(mktemp "$CLAWKIT_BACKUP_DIR/repository-key.XXXXXX")
  token=$(mktemp "$CLAWKIT_BACKUP_DIR/s3-credentials.XXXXXX")
  if grep -q '^BACKUP_KEY=' "$1"; then
    sed -n 's/^BACKUP_KEY=//p' "$1" >"$key"
    {
      echo "[default]"
      sed -n 's/^BACKUP_ACCESS_KEY_ID=/aws_access_key_id = /p' "$1"
      sed -n 's/^BACKUP_SECRET_ACCESS_KEY=/aws_secret_access_key = /p' "$1"
    } >"$token"
  fi
  # The token first: a new key is added to the repository through the new token.
  for pair in "$token:s3-credentials" "$key:repository-key"; do
    next=${pair%%:*} current="$CLAWKIT_BACKUP_DIR/${pair#*:}"
    if [ ! -s "$next" ]; then
      rm -f "$next"
      if [ -e "$current" ]; then
        shred -u "$current"
        stamp=yes
      fi
    elif cmp -s "$next" "$current"; then
      shred -u "$next"
    else
      chown "root:$CLAWKIT_BACKUP_USER" "$next"
      chmod 640 "$next"
      # A changed key re-keys the repository, or nothing of the key changes and the run fails.
      if [ "${pair#*:}" = repository-key ] && [ -e "$current" ] && [ -n "$CLAWKIT_BACKUP_REPOSITORY" ]; then
        if ! rekey_repository "$next"; then
          shred -u "$next"
          die "the backup key changed, but the repository could not be re-keyed: the old key stays in use; run pulumi up again once the bucket answers"
        fi
      fi
      mv -f "$next" "$current"
      stamp=yes
    fi
  done
}

# restore_if_asked: on a server whose gateway has never run here (no token yet) and
# with clawkit:restoreFrom set, the state comes from the bucket first, once a state
# volume (its stamp says which snapshot was asked for); a failed restore stops here.
restore_if_asked() {
  [ -n "$CLAWKIT_RESTORE_FROM" ] || return 0
  if [ -f "$CLAWKIT_RESTORED_STAMP" ] && grep -q "^requested=$CLAWKIT_RESTORE_FROM " "$CLAWKIT_RESTORED_STAMP"; then
    return 0
  fi
  if [ -f "$secrets" ]; then
    log "clawkit:restoreFrom applies to a new server before its gateway first starts; this one has run: nothing restored"
    return 0
  fi
  "$here/restore.sh" "$CLAWKIT_RESTORE_FROM" || die "the restore from the bucket failed; the gateway was not started"
}

# stamp_rotation: when a secret last changed, for clawkit-posture (no secret in it).
stamp_rotation() {
  date -u +%Y-%m-%dT%H:%M:%SZ >"$CLAWKIT_SECRETS_STAMP.new"
  chmod 644 "$CLAWKIT_SECRETS_STAMP.new"
  mv -f "$CLAWKIT_SECRETS_STAMP.new" "$CLAWKIT_SECRETS_STAMP"
}

if [ "${1:-}" = "--check" ]; then
  if locked_down; then
    log "locked down: the gateway is stopped on purpose (clawkit-lockdown)"
  else
    healthy "$secrets" || die "the gateway is not healthy with the installed secrets"
  fi
  [ -n "$(credgw_generation)" ] || die "the credential gateway does not answer"
  log "gateway and credential gateway healthy"
  exit 0
fi

mkdir -p "$etc"
incoming=$(mktemp "$etc/secrets.in.XXXXXX")
token_file=$(mktemp "$etc/secrets.env.new.XXXXXX")
staged=$(mktemp -d "$etc/credentials.new.XXXXXX")
# Whatever the exit, no copy of what came on stdin stays behind.
trap 'find "$incoming" "$token_file" "$staged" -type f -exec shred -u {} + 2>/dev/null || true; rmdir "$staged" 2>/dev/null || true' EXIT
head -c 65536 >"$incoming"
valid "$incoming" || die "rejected: the new secrets are not KEY=value lines with OPENCLAW_GATEWAY_TOKEN of 32+ characters, CREDENTIAL_<route> only for this host's routes ($CLAWKIT_CREDENTIAL_ROUTES) and the three BACKUP_ lines together; nothing changed"
grep '^OPENCLAW_GATEWAY_TOKEN=' "$incoming" >"$token_file"
render_credentials "$incoming" "$staged"
stamp=no
apply_webhook "$incoming"
ensure_dir "$CLAWKIT_BACKUP_DIR" 750 "root:$CLAWKIT_BACKUP_USER"
apply_backup_secrets "$incoming"
shred -u "$incoming"
restore_if_asked

# 1. Credentials: the credential gateway reloads; the gateway is not touched.
ensure_dir "$credentials" 700 root:root
if same_credentials "$staged" "$credentials" && [ -n "$(credgw_generation)" ]; then
  log "credentials unchanged"
else
  apply_credentials "$staged" || die "credential update rolled back: the credential gateway serves the previous credentials"
  stamp=yes
fi

# 2. The gateway token: a new one restarts the gateway, which must accept it. In a
#    lockdown it is only put in place: the gateway starts with it, and clawkit-lockdown
#    off proves it, when the lockdown ends.
if locked_down; then
  if [ -f "$secrets" ] && cmp -s "$token_file" "$secrets"; then
    log "gateway token unchanged; locked down, the gateway stays stopped"
  else
    chown root:root "$token_file"
    chmod 600 "$token_file"
    mv -f "$token_file" "$secrets"
    stamp=yes
    log "gateway token installed; locked down, the gateway stays stopped until clawkit-lockdown off"
  fi
  if [ "$stamp" = yes ]; then stamp_rotation; fi
  exit 0
fi
if [ -f "$secrets" ] && cmp -s "$token_file" "$secrets"; then
  if systemctl is-active --quiet "$unit" && healthy "$secrets"; then
    if [ "$stamp" = yes ]; then stamp_rotation; fi
    log "gateway token unchanged, gateway healthy"
    exit 0
  fi
fi

had_previous=no
if [ -f "$secrets" ]; then
  cp -p "$secrets" "$previous"
  had_previous=yes
fi
chown root:root "$token_file"
chmod 600 "$token_file"
mv -f "$token_file" "$secrets"
restart
if healthy "$secrets"; then
  if [ "$had_previous" = yes ]; then shred -u "$previous"; fi
  stamp_rotation
  log "gateway token applied, gateway healthy with it"
  exit 0
fi

log "the gateway failed with the new token; rolling back"
if [ "$had_previous" = yes ]; then
  mv -f "$previous" "$secrets"
  restart
  healthy "$secrets" || log "the previous token does not make it healthy either"
  die "token rotation rolled back: the gateway is serving the previous token"
fi
systemctl stop "$unit"
shred -u "$secrets"
die "the first gateway token did not make the gateway healthy; it is stopped"
