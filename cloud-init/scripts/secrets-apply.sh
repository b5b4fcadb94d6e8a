#!/bin/sh
# Installs the gateway's secrets from standard input, restarts the gateway and
# proves the new token works; if it does not, puts the previous secrets back,
# restarts again and exits non-zero. Secrets travel only on stdin and in
# root-only files: never in argv, the environment of this script, or a log.
#   clawkit-secrets-apply          read KEY=value lines on stdin and apply them
#   clawkit-secrets-apply --check  prove the installed secrets work
set -eu
umask 077
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"

etc=${CLAWKIT_ETC:-/etc/clawkit}
secrets="$etc/secrets.env"
previous="$etc/secrets.env.prev"
unit=openclaw-gateway.service
# shellcheck source=/dev/null
. "$etc/clawkit.env"
port=$CLAWKIT_GATEWAY_PORT
ready_timeout=${CLAWKIT_READY_TIMEOUT:-90}

# valid FILE: one KEY=value a line, a gateway token of at least 32 characters,
# and no character that systemd's EnvironmentFile would interpret.
valid() {
  [ -s "$1" ] || return 1
  if grep -qvE '^[A-Z][A-Z0-9_]*=[A-Za-z0-9._:+/=@-]+$' "$1"; then return 1; fi
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

restart() { systemctl daemon-reload; systemctl restart "$unit"; }

if [ "${1:-}" = "--check" ]; then
  healthy "$secrets" || die "the gateway is not healthy with the installed secrets"
  log "gateway healthy"
  exit 0
fi

mkdir -p "$etc"
incoming=$(mktemp "$etc/secrets.env.new.XXXXXX")
trap 'rm -f "$incoming"' EXIT
head -c 65536 >"$incoming"
valid "$incoming" || die "rejected: the new secrets are not KEY=value lines with OPENCLAW_GATEWAY_TOKEN of 32+ characters; nothing changed"

if [ -f "$secrets" ] && cmp -s "$incoming" "$secrets"; then
  if systemctl is-active --quiet "$unit" && healthy "$secrets"; then
    log "secrets unchanged, gateway healthy"
    exit 0
  fi
fi

had_previous=no
if [ -f "$secrets" ]; then
  cp -p "$secrets" "$previous"
  had_previous=yes
fi
chown root:root "$incoming"
chmod 600 "$incoming"
mv -f "$incoming" "$secrets"
restart
if healthy "$secrets"; then
  if [ "$had_previous" = yes ]; then shred -u "$previous"; fi
  log "secrets applied, gateway healthy with the new token"
  exit 0
fi

log "the gateway failed with the new secrets; rolling back"
if [ "$had_previous" = yes ]; then
  mv -f "$previous" "$secrets"
  restart
  healthy "$secrets" || log "the previous secrets do not make it healthy either"
  die "rotation rolled back: the gateway is serving the previous secrets"
fi
systemctl stop "$unit"
shred -u "$secrets"
die "the first secrets did not make the gateway healthy; it is stopped"
