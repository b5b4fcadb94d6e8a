#!/bin/sh
# The moltworker shape's exposure check, run on the operator's machine by Pulumi on
# every `pulumi up`, after the secrets step. It proves from the outside what the kit
# means to hold, and fails (so fails `pulumi up`) naming what it found:
#
#   without Access credentials, `/` (as a browser asks) and `/sandbox-health` (a
#     route moltworker answers without its own Access check) get Cloudflare Access's
#     answer: a redirect to its login page, https://<team>.cloudflareaccess.com/cdn-cgi/access/login/…,
#     or 403. Never the worker's own answer: the worker itself redirects a browser
#     without a JWT to https://<team>.cloudflareaccess.com (no login path), which
#     proves nothing about Access.
#   with the kit's Access service token, `/sandbox-health` gets the worker's own
#     health answer (200, service moltbot-sandbox). That route answers from the
#     worker without the gateway, so it holds during a lockdown too, while nobody
#     else gets in; it says nothing about the gateway.
#
# stdin: the Access service token id, then its secret, one a line; they reach curl
# on stdin as headers, never in an argument or an environment.
# Environment (no secrets): CLAWKIT_WORKER_URL; CLAWKIT_CHECK_TRIES (3) and
# CLAWKIT_CHECK_WAIT (2 s): a finding is looked at again before it fails the run,
# since a new Access application takes a moment to reach every edge. Each request
# gives up after 5 s.
set -eu

: "${CLAWKIT_WORKER_URL:?}"
url=${CLAWKIT_WORKER_URL%/}

log() { printf 'clawkit-exposure-check: %s\n' "$*" >&2; }
die() {
  log "FAILED: $*"
  exit 1
}

IFS= read -r access_client_id || true
IFS= read -r access_client_secret || true
if [ -z "$access_client_id" ] || [ -z "$access_client_secret" ]; then
  die "no Access service token on stdin"
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# probe PATH ACCEPT: one GET, headers from stdin, the body to $body; prints the
# status and the redirect target, or fails.
probe() {
  curl -sS -o "$body" -w '%{http_code} %{redirect_url}' \
    --connect-timeout 3 --max-time 5 -H @- -H "Accept: $2" "$url$1"
}

# parse RESULT: sets code and location from what probe printed.
parse() {
  code=${1%% *}
  location=${1#* }
}

# True when $location is Cloudflare Access's login page: the host ends in
# .cloudflareaccess.com and the path is Access's login path.
access_login() {
  rest=${location#https://}
  [ "$rest" != "$location" ] || return 1
  host=${rest%%/*}
  case "$host" in
  *[!a-z0-9.-]* | .* | "") return 1 ;;
  *.cloudflareaccess.com) ;;
  *) return 1 ;;
  esac
  case "${rest#"$host"}" in
  /cdn-cgi/access/login/*) return 0 ;;
  *) return 1 ;;
  esac
}

# One look without credentials at PATH; sets finding when Access did not answer.
unauthenticated() {
  finding=
  if ! result=$(probe "$1" "$2" </dev/null); then
    finding="$url$1 could not be reached without credentials (curl failed), so nothing is proven"
    return
  fi
  parse "$result"
  case "$code" in
  403) return ;;
  301 | 302 | 303 | 307 | 308)
    access_login && return
    finding="without Access credentials, $url$1 redirected to ${location:-nowhere} ($code), not to Access's login page: the worker answered, so Access does not stand in front of it"
    ;;
  *)
    what="the worker's own answer"
    grep -q '"moltbot-sandbox"' "$body" && what="the worker's own health answer"
    finding="without Access credentials, $url$1 got HTTP $code ($what), not Access's login redirect or 403: Access does not stand in front of the worker"
    ;;
  esac
}

start=$(date +%s)
for target in "/ text/html" "/sandbox-health application/json"; do
  path=${target%% *}
  accept=${target#* }
  tries=0
  while :; do
    unauthenticated "$path" "$accept"
    [ -n "$finding" ] || break
    tries=$((tries + 1))
    [ "$tries" -lt "${CLAWKIT_CHECK_TRIES:-3}" ] || die "$finding"
    sleep "${CLAWKIT_CHECK_WAIT:-2}"
  done
done
log "without Access credentials, Access answered / and /sandbox-health (login redirect or 403)"

if ! result=$(printf 'CF-Access-Client-Id: %s\nCF-Access-Client-Secret: %s\n' \
  "$access_client_id" "$access_client_secret" | probe /sandbox-health application/json); then
  die "$url/sandbox-health could not be reached with the service token (curl failed)"
fi
parse "$result"
if [ "$code" != 200 ] || ! grep -q '"moltbot-sandbox"' "$body"; then
  die "with the kit's Access service token, $url/sandbox-health got HTTP $code${location:+ (to $location)}, not the worker's health answer: the service token no longer gets through Access, so the kit could neither restart the gateway nor undo a lockdown"
fi
log "with the service token, the worker answered its health route ($(($(date +%s) - start)) s in all)"
