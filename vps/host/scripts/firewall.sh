#!/bin/sh
# Host firewall (ufw): deny all inbound, outbound and routed traffic by default;
# sshd and `tailscale serve` only on tailscale0; the agent user only to the local
# proxy (owner-match rules kept between markers in ufw's before*.rules).
# Idempotent. Used by the first-boot user-data and by every provisioning run.
#   firewall.sh             the agent reaches the egress proxy and the credential gateway
#   firewall.sh --lockdown  the agent reaches nothing (clawkit-lockdown)
#   firewall.sh --remove    the kit's rules and blocks out, policies untouched (teardown.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
files="$here/../files"

command -v ufw >/dev/null || die "ufw is not installed"

# splice_block RULES_FILE FRAGMENT: put FRAGMENT right after "# End required lines",
# replacing any earlier clawkit block, so it runs before ufw's own loopback ACCEPT.
splice_block() {
  target=$1 fragment=$2
  grep -q '^# End required lines' "$target" || die "$target has no '# End required lines' marker"
  next=$(mktemp)
  awk -v frag="$fragment" '
    /^# clawkit:begin/ { skip = 1; next }
    /^# clawkit:end/ { skip = 0; next }
    skip { next }
    { print }
    /^# End required lines/ { while ((getline line < frag) > 0) print line }
  ' "$target" >"$next"
  install_file "$next" "$target" 640 root:root firewall
  rm -f "$next"
}

variant="" removing=0
case ${1:-} in
  --lockdown) variant=-lockdown ;;
  --remove) removing=1 ;;
  "") ;;
  *) die "usage: firewall.sh [--lockdown|--remove]" ;;
esac
if [ "$removing" -eq 1 ]; then
  splice_block /etc/ufw/before.rules /dev/null
  splice_block /etc/ufw/before6.rules /dev/null
else
  splice_block /etc/ufw/before.rules "$files/ufw-agent$variant.rules"
  splice_block /etc/ufw/before6.rules "$files/ufw-agent6$variant.rules"
fi

# rule add|delete COMMENT RULE...: one of the kit's allow rules, added or deleted. ufw
# prints "Skipping ..." for a rule it already has and ignores a missing one on delete.
rule() {
  rule_verb=$1 comment=$2
  shift 2
  if [ "$rule_verb" = delete ]; then ufw delete allow "$@" >/dev/null; else ufw allow "$@" comment "$comment" >/dev/null; fi
}
verb=add
if [ "$removing" -eq 1 ]; then verb=delete; fi

# The allows come before the default denies: on a machine where ufw is already active
# (an owned one), a deny applies at once, and sshd must never be left out.
rule "$verb" 'sshd, tailnet only' in on tailscale0 to any port 22 proto tcp
# sshd's replies, whatever conntrack knows: a session that began before ufw was on
# (an owned machine's first provisioning) has no ESTABLISHED entry to match.
rule "$verb" 'sshd replies, tailnet only' out on tailscale0 proto tcp from any port 22
rule "$verb" 'tailscale serve' in on tailscale0 to any port 443 proto tcp
rule "$verb" 'DNS' out 53
rule "$verb" 'NTP' out 123/udp
rule "$verb" 'apt' out 80/tcp
rule "$verb" 'apt, tailscale, egress proxy' out 443/tcp
rule "$verb" 'tailscale direct' out 41641/udp
rule "$verb" 'tailscale STUN' out 3478/udp

# sshd from the operator's own LAN ranges (clawkit:sshFromLan, an owned machine only),
# and no range the settings no longer name. A vps has none: no settings file at first boot.
lan_comment='sshd, LAN (clawkit)'
lan_ranges=""
if [ "$removing" -eq 0 ] && [ -r /etc/clawkit/clawkit.env ]; then
  # shellcheck source=/dev/null
  lan_ranges=$(. /etc/clawkit/clawkit.env && printf '%s' "${CLAWKIT_SSH_FROM_LAN:-}")
fi
# lan_rules add|delete CIDR: sshd answers the range, and its replies go back there.
lan_rules() {
  rule "$1" "$lan_comment" in from "$2" to any port 22 proto tcp
  rule "$1" "$lan_comment" out proto tcp from any port 22 to "$2"
}
for cidr in $lan_ranges; do lan_rules add "$cidr"; done
named=$(ufw show added 2>/dev/null | grep -F "comment '$lan_comment'" | grep -o '[0-9A-Fa-f.:]*/[0-9]*' | sort -u) || true
for cidr in $named; do
  case " $lan_ranges " in *" $cidr "*) continue ;; esac
  lan_rules delete "$cidr"
  log "ufw: sshd no longer answers $cidr"
done

if [ "$removing" -eq 1 ]; then
  if ufw status | grep -q '^Status: active'; then ufw reload >/dev/null; fi
  log "ufw: the kit's rules removed"
  exit 0
fi

for pair in incoming:INPUT outgoing:OUTPUT routed:FORWARD; do
  if ! grep -q "^DEFAULT_${pair#*:}_POLICY=\"DROP\"" /etc/default/ufw; then
    ufw default deny "${pair%%:*}" >/dev/null
    mark_changed firewall
  fi
done

if ufw status | grep -q '^Status: active'; then
  if changed firewall; then ufw reload >/dev/null; fi
else
  ufw --force enable >/dev/null
  log "ufw enabled"
fi

# ufw can report success while a rules file failed to load: check that the agent
# rules are live in every family ufw manages, or stop here.
check_loaded() {
  "$1" -S "$2" 2>/dev/null | grep -q -- '--uid-owner' || die "$1: the agent egress rules are not loaded into $2"
}
check_loaded iptables ufw-before-output
if grep -q '^IPV6=yes' /etc/default/ufw; then check_loaded ip6tables ufw6-before-output; fi
