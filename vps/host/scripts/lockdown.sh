#!/bin/sh
# The incident switch (clawkit:lockdown). Root only; prints what it did.
#   clawkit-lockdown on      cut the agent off: no way out for its user (firewall,
#                            squid and the credential gateway all refuse it), the
#                            gateway stopped and kept from starting (its unit's
#                            condition: no timer, restart or reboot brings it back),
#                            every process of the agent user killed, `tailscale
#                            serve` removed. sshd on the tailnet, the state, the
#                            logs and the audit trail stay as they are.
#   clawkit-lockdown off     the reverse, in the reverse order; fails unless the
#                            gateway comes back healthy with the installed token.
#   clawkit-lockdown status  prints "on" or "off".
# The state is one file (CLAWKIT_LOCKDOWN_FILE) that provisioning and
# clawkit-secrets-apply honour too. Every step is idempotent: a run that stopped
# half-way is finished by the next one.
set -eu
umask 022
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/lib.sh"
. "$here/host-lib.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env
files="$here/../files"
gateway=$CLAWKIT_GATEWAY_UNIT

say() { printf 'clawkit-lockdown: %s\n' "$*"; }

# journal MESSAGE: one line under the identifier the alerts and the posture report read.
journal() { logger -t clawkit-lockdown -- "$1"; }

# step LABEL DONE COMMAND...: one step of the switch (a script in a process of its
# own, or a function that returns its failure); says DONE when it worked. A failure
# is said and the other steps still run: an incident switch does all it can, and
# the next run finishes the rest.
failed=""
step() {
  label=$1 done=$2
  shift 2
  if "$@"; then
    say "$done"
  else
    log "lockdown: $label failed"
    failed="$failed${failed:+, }$label"
  fi
}

case ${1:-} in
  on)
    # The state first: from here on nothing starts the gateway, and a run that
    # stops half-way leaves the host locked down, not open.
    if ! locked_down; then
      date -u +%Y-%m-%dT%H:%M:%SZ >"$CLAWKIT_LOCKDOWN_FILE.new"
      mv -f "$CLAWKIT_LOCKDOWN_FILE.new" "$CLAWKIT_LOCKDOWN_FILE"
      journal "lockdown on"
    fi
    # The network before the gateway: nothing it still does leaves the host.
    step "the firewall's lockdown block" "firewall: the agent user reaches nothing (IPv4 and IPv6)" \
      sh "$here/firewall.sh" --lockdown
    step "squid's and the credential gateway's lockdown includes" "squid and the credential gateway refuse the agent" \
      sh "$here/lockdown.sh" _includes
    step "stopping the gateway" "gateway stopped" systemctl stop "$gateway"
    # Stopped on purpose, not failed (openclaw exits non-zero on SIGTERM).
    systemctl reset-failed "$gateway" 2>/dev/null || true
    if pkill -KILL -u "$CLAWKIT_AGENT_USER" 2>/dev/null; then
      say "killed the agent user's remaining processes"
    fi
    step "removing tailscale serve" "tailscale serve: the gateway is off the tailnet; sshd stays for forensics" \
      unserve_gateway
    [ -z "$failed" ] || die "lockdown on, but incomplete: $failed failed (run it again); the rest is in place"
    say "lockdown on since $(cat "$CLAWKIT_LOCKDOWN_FILE")"
    ;;
  off)
    if ! locked_down; then
      # Nothing to undo; a gateway that should run must still be healthy.
      "$here/secrets-apply.sh" --check >/dev/null 2>&1 || die "not locked down, but the gateway is not healthy"
      say "lockdown off (it was not on); gateway healthy"
      exit 0
    fi
    rm -f "$CLAWKIT_LOCKDOWN_FILE"
    sh "$here/lockdown.sh" _includes
    say "squid and the credential gateway serve the agent again"
    sh "$here/firewall.sh"
    say "firewall: the agent user reaches the egress proxy and the credential gateway again"
    systemctl start "$gateway"
    "$here/secrets-apply.sh" --check || die "the gateway is not healthy after the lockdown; it stays off the tailnet"
    say "gateway started, healthy with the installed token"
    serve_gateway
    say "tailscale serve: the gateway is on the tailnet again"
    journal "lockdown off"
    say "lockdown off"
    ;;
  status)
    if locked_down; then echo on; else echo off; fi
    ;;
  _includes)
    # squid and the credential gateway read the include of the host's state again.
    install_lockdown_includes "$files"
    if changed proxy; then systemctl reload squid.service; fi
    if changed credgw; then systemctl reload "$CLAWKIT_CREDGW_UNIT"; fi
    ;;
  *)
    die "usage: clawkit-lockdown on|off|status"
    ;;
esac
