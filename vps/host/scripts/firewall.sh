#!/bin/sh
# Host firewall (ufw): deny all inbound, outbound and routed traffic by default;
# sshd and `tailscale serve` only on tailscale0; the agent user only to the local
# proxy (owner-match rules kept between markers in ufw's before*.rules).
# Idempotent. Used by the first-boot user-data and by every provisioning run.
#   firewall.sh             the agent reaches the egress proxy and the credential gateway
#   firewall.sh --lockdown  the agent reaches nothing (clawkit-lockdown)
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

variant=""
case ${1:-} in
  --lockdown) variant=-lockdown ;;
  "") ;;
  *) die "usage: firewall.sh [--lockdown]" ;;
esac
splice_block /etc/ufw/before.rules "$files/ufw-agent$variant.rules"
splice_block /etc/ufw/before6.rules "$files/ufw-agent6$variant.rules"

# ufw prints "Skipping ..." for rules it already has, so these are idempotent.
# `ufw default` rewrites its files and reloads even when nothing changes: ask first.
for pair in incoming:INPUT outgoing:OUTPUT routed:FORWARD; do
  if ! grep -q "^DEFAULT_${pair#*:}_POLICY=\"DROP\"" /etc/default/ufw; then
    ufw default deny "${pair%%:*}" >/dev/null
    mark_changed firewall
  fi
done
ufw allow in on tailscale0 to any port 22 proto tcp comment 'sshd, tailnet only' >/dev/null
ufw allow in on tailscale0 to any port 443 proto tcp comment 'tailscale serve' >/dev/null
ufw allow out 53 comment 'DNS' >/dev/null
ufw allow out 123/udp comment 'NTP' >/dev/null
ufw allow out 80/tcp comment 'apt' >/dev/null
ufw allow out 443/tcp comment 'apt, tailscale, egress proxy' >/dev/null
ufw allow out 41641/udp comment 'tailscale direct' >/dev/null
ufw allow out 3478/udp comment 'tailscale STUN' >/dev/null

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
