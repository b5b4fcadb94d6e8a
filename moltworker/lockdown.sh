#!/bin/sh
# The moltworker shape's lockdown switch, run on the operator's machine by Pulumi's
# lockdown command after Access's people policy changed (deny while locked down,
# allow otherwise). Secrets arrive on stdin, never in an argument or the command's
# environment: the Cloudflare API token, the Access service token id, its secret,
# one a line.
#
#   on   Revokes every Access token issued for the application, so the sessions
#        people already hold end now instead of at their expiry; then restarts the
#        gateway through Access with the service token. moltworker (at the pinned
#        commit) has no route that stops the gateway or its container: its restart
#        kills the running gateway, which ends every open WebSocket (Access does not
#        re-check an open connection) and any agent run in flight, and starts a new
#        gateway at once. The container keeps running.
#   off  Nothing to start: the people policy lets the listed people in again and the
#        gateway is running.
#
# Environment (no secrets): CLAWKIT_LOCKDOWN (on|off), CLAWKIT_WORKER_URL,
# CLAWKIT_ACCESS_APP_ID, CLOUDFLARE_ACCOUNT_ID, CLAWKIT_CLOUDFLARE_API (Cloudflare's
# API root; tests point it elsewhere), CLAWKIT_RESTART_TRIES, CLAWKIT_RESTART_WAIT.
set -eu

: "${CLAWKIT_WORKER_URL:?}" "${CLAWKIT_ACCESS_APP_ID:?}" "${CLOUDFLARE_ACCOUNT_ID:?}"
api=${CLAWKIT_CLOUDFLARE_API:-https://api.cloudflare.com/client/v4}

# shellcheck source-path=SCRIPTDIR source=access-admin.sh
. "$(dirname "$0")/access-admin.sh"

log() { printf 'clawkit-lockdown: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

IFS= read -r cf_token || true
IFS= read -r access_client_id || true
IFS= read -r access_client_secret || true

case "${CLAWKIT_LOCKDOWN:?}" in
on)
  [ -n "$cf_token" ] || die "no Cloudflare API token on stdin"
  if [ -z "$access_client_id" ] || [ -z "$access_client_secret" ]; then
    die "no Access service token on stdin"
  fi
  log "lockdown on: Access's people policy now denies everyone; the kit's service token still gets in"

  # The token goes to curl on stdin as a header, never in its argv.
  if ! printf 'Authorization: Bearer %s\n' "$cf_token" |
    curl -fsS -o /dev/null --max-time 30 -X POST -H @- \
      "$api/accounts/$CLOUDFLARE_ACCOUNT_ID/access/apps/$CLAWKIT_ACCESS_APP_ID/revoke_tokens"; then
    die "the people policy denies everyone, but the Access sessions people already hold were not revoked (does the API token have Access: Apps and Policies Edit?); revoke them in Zero Trust > Access > Applications > Revoke existing tokens, then run pulumi up again"
  fi
  log "revoked every Access session issued for $CLAWKIT_WORKER_URL"

  restart_gateway "${CLAWKIT_RESTART_TRIES:-3}" "${CLAWKIT_RESTART_WAIT:-5}" \
    "nobody gets past Access, but the gateway was not restarted, so connections opened before the lockdown may still be open: press Restart gateway at $CLAWKIT_WORKER_URL/_admin/ with the service token, or delete the worker (README: incident runbook), then run pulumi up again"
  log "gateway restarted: every open connection to it is closed; moltworker has no stop route, so a new gateway runs in its container"
  log "still running at Cloudflare: the worker, the container and its gateway (channels such as Telegram included) with every secret it holds; rotate them (README: incident runbook)"
  ;;
off)
  log "lockdown off: Access lets the listed people in again; the gateway is running"
  ;;
*)
  die "CLAWKIT_LOCKDOWN must be on or off, not $CLAWKIT_LOCKDOWN"
  ;;
esac
