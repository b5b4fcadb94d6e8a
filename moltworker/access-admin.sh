#!/bin/sh
# Sourced by the worker scripts (deploy.sh, lockdown.sh), never run: moltworker's
# admin API through Access, with the kit's service token. The caller defines log
# and die and has read the token into access_client_id and access_client_secret;
# they go to curl on stdin, never in argv.

# restart_gateway TRIES WAIT FAILURE: POST /api/admin/gateway/restart until it
# answers, TRIES times WAIT seconds apart (a new Access application takes a moment
# to reach every edge); then die with FAILURE.
restart_gateway() {
  tries=0
  # shellcheck disable=SC2154 # read by the caller from its stdin
  until printf 'CF-Access-Client-Id: %s\nCF-Access-Client-Secret: %s\n' \
    "$access_client_id" "$access_client_secret" |
    curl -fsS -o /dev/null --max-time 30 -X POST -H @- \
      "$CLAWKIT_WORKER_URL/api/admin/gateway/restart"; do
    tries=$((tries + 1))
    [ "$tries" -lt "$1" ] || die "$3"
    sleep "$2"
  done
}
