#!/bin/sh
# The alert watcher (clawkit-alert.service, as its own user): every few seconds it
# counts, with the queries of events.sh, what happened since its last look, and
# tells the operator when the agent's egress was blocked, exec was denied, gateway
# logins failed repeatedly, the gateway restarted too often, the agent's firewall
# rules were missing, a backup failed, or the lockdown changed. At most one alert of a kind a
# window; later ones are counted and the next alert says how many were held back.
# Alerts are fixed sentences with counts: never a log line, a message or a secret.
# Destinations: the webhook (a curl config only this user reads; out through
# squid's alert port) and the Telegram chats (through the credential gateway's
# alert relay, which holds the bot token).
set -eu
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
. "$here/events.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env

state=${STATE_DIRECTORY:-/var/lib/clawkit-alert}
interval=$CLAWKIT_ALERT_INTERVAL
window=$CLAWKIT_ALERT_WINDOW
host=$(hostname)

# post_webhook TEXT: one JSON POST that Slack ("text"), Discord ("content") and
# ntfy ("message", picked by its template headers; older ntfy shows the JSON) take.
post_webhook() {
  [ -r "$CLAWKIT_ALERT_WEBHOOK_FILE" ] || return 1
  printf '{"text":"%s","content":"%s","message":"%s"}' "$1" "$1" "$1" |
    curl -q -sS -o /dev/null --fail --max-time 15 --proxy "http://127.0.0.1:$CLAWKIT_ALERT_PROXY_PORT" \
      -K "$CLAWKIT_ALERT_WEBHOOK_FILE" -H 'Content-Type: application/json' \
      -H 'X-Title: clawkit alert' -H 'X-Template: yes' -H 'X-Message: {{.message}}' \
      --data-binary @-
}

# send_telegram TEXT: one message to each alert chat, through the relay.
send_telegram() {
  [ -n "$CLAWKIT_ALERT_TELEGRAM_CHATS" ] || return 1
  sent=1
  for chat in $CLAWKIT_ALERT_TELEGRAM_CHATS; do
    if curl -q -sS -o /dev/null --fail --max-time 15 -G --data-urlencode "text=$1" \
      "http://127.0.0.1:$CLAWKIT_ALERT_RELAY_PORT/alert/$chat"; then
      sent=0
    else
      log "alert not delivered to a Telegram chat"
    fi
  done
  return $sent
}

# deliver TEXT: true when at least one destination took it.
deliver() {
  delivered=1
  if [ -e "$CLAWKIT_ALERT_WEBHOOK_FILE" ]; then
    if post_webhook "$1"; then delivered=0; else log "alert not delivered to the webhook"; fi
  fi
  if send_telegram "$1"; then delivered=0; fi
  return $delivered
}

# raise KIND TEXT NOW: send TEXT unless an alert of KIND went out within the window;
# then only count it. A delivery that failed everywhere is retried at the next event.
raise() {
  kind=$1 text=$2 now=$3
  last=$(cat "$state/$kind.sent" 2>/dev/null || echo 0)
  held=$(cat "$state/$kind.held" 2>/dev/null || echo 0)
  if [ $((now - last)) -lt "$window" ]; then
    echo $((held + 1)) >"$state/$kind.held"
    log "alert $kind held back (one a kind every ${window}s)"
    return 0
  fi
  if [ "$held" -gt 0 ]; then text="$text ($held more held back since the last one)"; fi
  if deliver "clawkit $host: $text"; then
    echo "$now" >"$state/$kind.sent"
    rm -f "$state/$kind.held"
    log "alert $kind sent"
  fi
}

# look SINCE UNTIL: every check over [SINCE, UNTIL).
look() {
  from=$1 to=$2
  n=$(events_egress_blocked "$from" "$to")
  [ "$n" -eq 0 ] || raise egress "agent egress blocked $n time(s) (firewall or proxy refused a connection)" "$to"
  n=$(events_exec_denied "$from" "$to")
  [ "$n" -eq 0 ] || raise exec "exec denied $n time(s) (a command outside the allowlist)" "$to"
  n=$(events_auth_failures $((to - 60)) "$to")
  [ "$n" -lt "$CLAWKIT_ALERT_AUTH_FAILURES" ] || raise auth "gateway login refused $n times in the last minute" "$to"
  n=$(events_gateway_starts $((to - window)) "$to")
  [ "$n" -lt "$CLAWKIT_ALERT_GATEWAY_STARTS" ] || raise restarts "gateway started $n times in ${window}s" "$to"
  n=$(events_firewall_missing "$from" "$to")
  [ "$n" -eq 0 ] || raise firewall "the agent's firewall rules are missing" "$to"
  n=$(events_backup_failed "$from" "$to")
  [ "$n" -eq 0 ] || raise backup "backup failed $n time(s); the journal of clawkit-backup says why" "$to"
  for change in $(events_lockdown_changes "$from" "$to"); do
    raise "lockdown-$change" "lockdown $change" "$to"
  done
}

# Start where the last run stopped (a restart loses nothing), or now on a first start.
since=$(cat "$state/since" 2>/dev/null || date +%s)
log "watching (every ${interval}s, one alert a kind every ${window}s)"
while :; do
  # One second behind: the journal may still be writing the current one.
  until=$(($(date +%s) - 1))
  if [ "$until" -gt "$since" ]; then
    look "$since" "$until"
    since=$until
    echo "$since" >"$state/since"
  fi
  sleep "$interval"
done
