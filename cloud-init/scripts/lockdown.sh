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

# reload_includes: squid and the credential gateway read their lockdown include again.
reload_includes() {
  # shellcheck disable=SC2034 # read by changed(), in lib.sh
  CLAWKIT_CHANGED=""
  install_lockdown_includes "$files"
  if changed proxy; then
    systemctl reload squid.service
    say "squid: $1"
  fi
  if changed credgw; then
    systemctl reload "$CLAWKIT_CREDGW_UNIT"
    say "credential gateway: $1"
  fi
}

case ${1:-} in
  on)
    was_on=no
    if locked_down; then was_on=yes; fi
    # The state first: from here on nothing starts the gateway, and a run that
    # stops half-way leaves the host locked down, not open.
    if [ "$was_on" = no ]; then
      date -u +%Y-%m-%dT%H:%M:%SZ >"$CLAWKIT_LOCKDOWN_FILE.new"
      mv -f "$CLAWKIT_LOCKDOWN_FILE.new" "$CLAWKIT_LOCKDOWN_FILE"
      journal "lockdown on"
    fi
    # The network before the gateway: nothing it still does leaves the host.
    sh "$here/firewall.sh" --lockdown
    say "firewall: the agent user reaches nothing (IPv4 and IPv6)"
    reload_includes "refuses the agent"
    if systemctl is-active --quiet "$gateway"; then
      systemctl stop "$gateway"
      say "gateway stopped"
    fi
    # Stopped on purpose, not failed (openclaw exits non-zero on SIGTERM).
    systemctl reset-failed "$gateway" 2>/dev/null || true
    if pkill -KILL -u "$CLAWKIT_AGENT_USER" 2>/dev/null; then
      say "killed the agent user's remaining processes"
    fi
    unserve_gateway
    say "tailscale serve: the gateway is off the tailnet; sshd stays for forensics"
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
    reload_includes "serves the agent again"
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
  *)
    die "usage: clawkit-lockdown on|off|status"
    ;;
esac
