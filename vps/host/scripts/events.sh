#!/bin/sh
# The security events clawkit counts, one query each, shared by the posture report
# (clawkit-posture, as root) and the alert watcher (its own user, in the groups
# systemd-journal and proxy). Sourced, never run. Each events_* function takes
# SINCE and UNTIL in seconds since the epoch and prints how many events fell in
# [SINCE, UNTIL); it never prints what an event said, only that it happened.

events_gateway_unit=openclaw-gateway.service
events_proxy_log=${CLAWKIT_PROXY_LOG:-/var/log/squid/access.log}
# systemd's "unit started" message (SD_MESSAGE_UNIT_STARTED).
events_unit_started=39f53479d3a045ac8e11786248231fbf

# events_journal SINCE UNTIL MATCH...: the journal's messages in the range, one a line.
events_journal() {
  from=$1 to=$2
  shift 2
  journalctl --quiet --no-pager -o cat --since "@$from" --until "@$to" "$@" 2>/dev/null || true
}

# events_count PATTERN: how many lines of stdin match the fixed string PATTERN.
events_count() { grep -cF -- "$1" || true; }

# Agent traffic the firewall refused: the kernel logs it (rate-limited: at most
# 6 lines a minute after a burst of 10) with the prefix firewall.ts sets. A kernel
# log line only reaches the journal from the host's own network namespace.
events_egress_firewall() {
  events_journal "$1" "$2" -k | events_count "[clawkit agent egress] "
}

# CONNECTs the agent's proxy refused (squid's native log: the first field is the time).
events_egress_proxy() {
  [ -r "$events_proxy_log" ] || {
    echo 0
    return 0
  }
  awk -v from="$1" -v to="$2" '$1 >= from && $1 < to && $4 ~ /^TCP_DENIED\// { n++ } END { print n + 0 }' "$events_proxy_log"
}

events_egress_blocked() {
  echo $(($(events_egress_firewall "$1" "$2") + $(events_egress_proxy "$1" "$2")))
}

# A command exec refused (allowlist miss, security=deny, no approval): openclaw logs
# "[tools] exec failed: exec denied: <why> <input preview>".
events_exec_denied() {
  events_journal "$1" "$2" -u "$events_gateway_unit" | events_count "exec failed: exec denied"
}

# A WebSocket client refused for a wrong or missing token (openclaw logs
# "[ws] unauthorized conn=… reason=…"). A refused HTTP request is not logged by openclaw.
events_auth_failures() {
  events_journal "$1" "$2" -u "$events_gateway_unit" | events_count "[ws] unauthorized "
}

# How often systemd started the gateway (each start after the first is a restart).
events_gateway_starts() {
  events_journal "$1" "$2" -u "$events_gateway_unit" "MESSAGE_ID=$events_unit_started" | grep -c . || true
}

# What root's firewall check logged when the agent's rules were not loaded.
events_firewall_missing() {
  events_journal "$1" "$2" -t clawkit-firewall-check | events_count "agent egress rules missing"
}

# Backups that failed (backup.sh logs each under its own identifier).
events_backup_failed() {
  events_journal "$1" "$2" -t clawkit-backup | events_count "backup failed"
}

# Lockdown switches in the range, oldest first: "on" or "off", one a line.
events_lockdown_changes() {
  events_journal "$1" "$2" -t clawkit-lockdown | sed -n 's/^lockdown \(on\|off\)$/\1/p'
}

# agent_rules_loaded IPTABLES CHAIN USER: the rule that rejects whatever else USER
# sends is live in CHAIN (root only; a lockdown removes only the user's ACCEPTs).
agent_rules_loaded() {
  uid=$(id -u "$3") || return 1
  "$1" -S "$2" 2>/dev/null | grep -q -- "--uid-owner $uid -j REJECT"
}
