#!/bin/sh
# Root's check, every minute (clawkit-firewall-check.timer), that the rules keeping
# the agent user to its proxy are loaded, IPv4 and (where ufw manages it) IPv6. A
# miss is logged under the identifier clawkit-firewall-check, where the alert
# watcher, which may not read the firewall itself, finds it. Prints nothing else.
set -eu
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
. "$here/events.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env

missing=""
agent_rules_loaded iptables ufw-before-output "$CLAWKIT_AGENT_USER" || missing="$missing IPv4"
if grep -q '^IPV6=yes' /etc/default/ufw; then
  agent_rules_loaded ip6tables ufw6-before-output "$CLAWKIT_AGENT_USER" || missing="$missing IPv6"
fi
if [ -n "$missing" ]; then
  logger -t clawkit-firewall-check -p auth.warning "agent egress rules missing:$missing"
  exit 1
fi
