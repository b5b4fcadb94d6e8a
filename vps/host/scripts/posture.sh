#!/bin/sh
# clawkit-posture: the host's security posture at a glance, for the operator and for
# the stack output `posture`. Root only. Prints no secret: states, counts, versions,
# addresses and ports.
#   clawkit-posture         a short human summary
#   clawkit-posture --json  the same as one JSON object
set -eu
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
. "$here/events.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env
[ "$(id -u)" -eq 0 ] || die "clawkit-posture needs root (sudo clawkit-posture)"

node=/opt/clawkit/node/node
yes_no() { if "$@"; then echo true; else echo false; fi; }

firewall_active=$(yes_no sh -c 'ufw status | grep -q "^Status: active"')
rules_ipv4=$(yes_no agent_rules_loaded iptables ufw-before-output "$CLAWKIT_AGENT_USER")
if grep -q '^IPV6=yes' /etc/default/ufw; then
  rules_ipv6=$(yes_no agent_rules_loaded ip6tables ufw6-before-output "$CLAWKIT_AGENT_USER")
else
  rules_ipv6=false
fi

# Listening sockets, TCP and UDP: "proto address port program", one a line.
listeners=$(ss -Hlntup | awk '{
  local = $5; port = local; sub(/.*:/, "", port); address = substr(local, 1, length(local) - length(port) - 1)
  gsub(/^\[|\]$/, "", address); sub(/%.*/, "", address)
  program = "?"; if (match($0, /users:\(\("[^"]+"/)) program = substr($0, RSTART + 9, RLENGTH - 10)
  print $1, address, port, program
}' | sort -u)

exposure=$(systemd-analyze security --no-pager openclaw-gateway.service 2>/dev/null |
  sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')

# openclaw's own audit, as the agent user with the gateway's environment (the CLI
# reads the token's presence, never prints it): only the summary is kept.
audit=$(systemd-run --quiet --pipe --wait -p "User=$CLAWKIT_AGENT_USER" -p "Group=$CLAWKIT_AGENT_USER" \
  -p EnvironmentFile=/etc/clawkit/secrets.env \
  -p "Environment=HOME=$CLAWKIT_STATE_DIR OPENCLAW_STATE_DIR=$CLAWKIT_STATE_DIR/state OPENCLAW_CONFIG_PATH=/etc/clawkit/openclaw.json OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1" \
  "$node" /opt/clawkit/openclaw/node_modules/openclaw/openclaw.mjs security audit --json 2>/dev/null |
  "$node" -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{try{const a=JSON.parse(s.slice(s.indexOf("{")));const {critical=0,warn=0,info=0}=a.summary;console.log(JSON.stringify({critical,warn,info}))}catch{console.log("null")}})')

openclaw_version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' /opt/clawkit/openclaw/node_modules/openclaw/package.json)
node_version=$("$node" --version)
rotated=$(cat "$CLAWKIT_SECRETS_STAMP" 2>/dev/null || echo never)
lockdown=$(yes_no test -e "$CLAWKIT_LOCKDOWN_FILE")

# The backups: whether a bucket is set, the last run's outcome, and the restore this
# state came from (status files with no secret in them).
backup_configured=$(yes_no test -n "$CLAWKIT_BACKUP_REPOSITORY")
# backup_field NAME FILE: the value of NAME= in FILE, or nothing (no file: never run).
backup_field() {
  [ -f "$2" ] || return 0
  sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" "$2"
}
if [ -f "$CLAWKIT_BACKUP_STATUS" ]; then
  backup_last=$(printf '{"time":"%s","result":"%s","snapshot":"%s","seconds":%d}' \
    "$(backup_field time "$CLAWKIT_BACKUP_STATUS")" "$(backup_field result "$CLAWKIT_BACKUP_STATUS")" \
    "$(backup_field snapshot "$CLAWKIT_BACKUP_STATUS")" "$(backup_field seconds "$CLAWKIT_BACKUP_STATUS")")
else
  backup_last=null
fi
restored_from=$(backup_field snapshot "$CLAWKIT_RESTORED_STAMP")

to=$(date +%s)
from=$((to - 86400))
egress_firewall=$(events_egress_firewall "$from" "$to")
egress_proxy=$(events_egress_proxy "$from" "$to")
exec_denied=$(events_exec_denied "$from" "$to")
auth_failures=$(events_auth_failures "$from" "$to")
gateway_starts=$(events_gateway_starts "$from" "$to")
backups_failed=$(events_backup_failed "$from" "$to")

if [ "${1:-}" = "--json" ]; then
  printf '{"firewall":{"active":%s,"agentRules":{"ipv4":%s,"ipv6":%s}},' "$firewall_active" "$rules_ipv4" "$rules_ipv6"
  printf '"listeners":[%s],' "$(printf '%s\n' "$listeners" | awk 'NF == 4 {
    printf "%s{\"proto\":\"%s\",\"address\":\"%s\",\"port\":%d,\"program\":\"%s\"}", (n++ ? "," : ""), $1, $2, $3, $4 }')"
  printf '"gatewayExposure":%s,"openclawAudit":%s,' "${exposure:-null}" "${audit:-null}"
  printf '"versions":{"openclaw":"%s","node":"%s"},' "$openclaw_version" "$node_version"
  printf '"secretsRotated":"%s","lockdown":%s,' "$rotated" "$lockdown"
  printf '"backup":{"configured":%s,"last":%s,"restoredFrom":%s},' "$backup_configured" "$backup_last" \
    "$(if [ -n "$restored_from" ]; then printf '"%s"' "$restored_from"; else echo null; fi)"
  printf '"last24h":{"egressBlocked":{"firewall":%d,"proxy":%d},"execDenied":%d,"authFailures":%d,"gatewayStarts":%d,"backupsFailed":%d}}\n' \
    "$egress_firewall" "$egress_proxy" "$exec_denied" "$auth_failures" "$gateway_starts" "$backups_failed"
  exit 0
fi
printf 'firewall: %s; agent egress rules IPv4 %s, IPv6 %s\n' "$([ "$firewall_active" = true ] && echo active || echo INACTIVE)" "$rules_ipv4" "$rules_ipv6"
printf 'lockdown: %s\n' "$([ "$lockdown" = true ] && echo ON || echo off)"
printf 'gateway unit exposure: %s; openclaw audit: %s\n' "${exposure:-?}" "${audit:-?}"
printf 'openclaw %s, Node.js %s; secrets last changed: %s\n' "$openclaw_version" "$node_version" "$rotated"
if [ "$backup_configured" = true ]; then
  printf 'backups: on; last: %s\n' "$(cat "$CLAWKIT_BACKUP_STATUS" 2>/dev/null || echo never)"
else
  echo "backups: off (clawkit:backupBucket)"
fi
printf 'last 24 h: egress blocked %d (firewall) + %d (proxy), exec denied %d, gateway logins refused %d, gateway starts %d, backups failed %d\n' \
  "$egress_firewall" "$egress_proxy" "$exec_denied" "$auth_failures" "$gateway_starts" "$backups_failed"
echo "listeners (proto address port program):"
printf '%s\n' "$listeners" | sed 's/^/  /'
