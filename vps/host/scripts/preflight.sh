#!/bin/sh
# An owned machine's preflight (clawkit:target host). Changes nothing.
#   preflight.sh --owner STACK/AGENT [--lan CIDR]... [--joining]
#       Run by the kit as the admin, before sudo (sudo drops SSH_CONNECTION), on stdin:
#       proves the connection came in on tailscale0 (or from an opted-in LAN range),
#       that the kit can safely take the machine, and prints its ed25519 host key and
#       its MagicDNS name, one a line. --joining: the kit joins it to the tailnet
#       (clawkit:tailnetJoin), so Tailscale must be installed, not yet up.
#   preflight.sh --arrival-only --arrived "CLIENT PORT SERVER PORT" [--lan CIDR]...
#       Run by provision.sh as root: the arrival check alone, before any step.
# Exits 2 with the config key to change and the fix when it refuses.
set -eu

refuse() {
  printf 'clawkit preflight: %s\n  fix: %s\n' "$1" "$2" >&2
  exit 2
}

owner="" lan="" arrival_only=0 joining=0 arrived=${SSH_CONNECTION:-}
while [ $# -gt 0 ]; do
  case $1 in
    --owner) owner=$2 && shift 2 ;;
    --lan) lan="$lan $2" && shift 2 ;;
    --arrived) arrived=$2 && shift 2 ;;
    --arrival-only) arrival_only=1 && shift ;;
    --joining) joining=1 && shift ;;
    *) refuse "unknown argument: $1" "run the preflight the kit ships" ;;
  esac
done

# bits ADDRESS: the address as a string of 0s and 1s (32 for IPv4, 128 for IPv6);
# empty when it is neither. Plain awk: no python3 before provisioning, no bitwise ops in mawk.
bits() {
  printf '%s\n' "${1%%%*}" | awk '
    function bin(n, width,   s) { s = ""; while (width-- > 0) { s = (n % 2) s; n = int(n / 2) } return s }
    function hex(h,   i, n) { n = 0; h = tolower(h); for (i = 1; i <= length(h); i++) n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return n }
    /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ {
      n = split($0, o, "."); out = ""
      for (i = 1; i <= n; i++) { if (o[i] > 255) exit; out = out bin(o[i], 8) }
      print out; exit
    }
    /^[0-9A-Fa-f:.]+$/ && /:/ {
      a = $0
      # An IPv4 tail (::ffff:192.0.2.1): its two groups in hex.
      if (index(a, ".")) {
        tail = a; sub(/.*:/, "", tail)
        if (split(tail, o, ".") != 4 || o[1] > 255 || o[2] > 255 || o[3] > 255 || o[4] > 255) exit
        sub(/[^:]*$/, sprintf("%x:%x", o[1] * 256 + o[2], o[3] * 256 + o[4]), a)
      }
      halves = split(a, h, "::")
      if (halves > 2) exit
      nl = (h[1] == "") ? 0 : split(h[1], left, ":")
      nr = (halves == 2 && h[2] != "") ? split(h[2], right, ":") : 0
      if (halves == 1 && nl != 8) exit
      if (halves == 2 && nl + nr > 7) exit
      out = ""
      for (i = 1; i <= nl; i++) { if (length(left[i]) < 1 || length(left[i]) > 4) exit; out = out bin(hex(left[i]), 16) }
      for (i = nl + nr; i < 8; i++) out = out bin(0, 16)
      for (i = 1; i <= nr; i++) { if (length(right[i]) < 1 || length(right[i]) > 4) exit; out = out bin(hex(right[i]), 16) }
      print out
    }'
}

# in_cidr ADDRESS CIDR: true when the address lies in the range (same family only).
in_cidr() {
  address_bits=$(bits "$1")
  range_bits=$(bits "${2%/*}")
  prefix=${2##*/}
  [ -n "$address_bits" ] && [ "${#address_bits}" -eq "${#range_bits}" ] || return 1
  case $prefix in '' | *[!0-9]*) return 1 ;; esac
  [ "$prefix" -le "${#range_bits}" ] || return 1
  [ "$(printf '%s' "$address_bits" | cut -c "1-$prefix")" = "$(printf '%s' "$range_bits" | cut -c "1-$prefix")" ]
}

# 1. The arrival: the server address is tailscale0's and the way back to the client
#    leaves through tailscale0 (both, for Linux's weak host model), or the client is in
#    a LAN range the operator opted in to.
# shellcheck disable=SC2086 # four words, split on purpose
set -- $arrived
[ $# -eq 4 ] || refuse "no SSH connection to judge (SSH_CONNECTION is empty)" \
  "run the kit over SSH (pulumi up), never from a local shell"
client=${1%%%*} server=${3%%%*}
on_tailnet=0
if ip -o addr show dev tailscale0 2>/dev/null | grep -qF " $server/"; then
  case " $(ip -o route get "$client" 2>/dev/null) " in *" dev tailscale0 "*) on_tailnet=1 ;; esac
fi
if [ "$on_tailnet" -eq 0 ]; then
  from_lan=0
  for cidr in $lan; do
    if in_cidr "$client" "$cidr"; then from_lan=1; fi
  done
  [ "$from_lan" -eq 1 ] || refuse "the kit's connection came from $client to $server, not over tailscale0, and no clawkit:sshFromLan range holds $client" \
    "set clawkit:host to the machine's tailnet name or address; or, to provision over your LAN, pulumi config set --path 'clawkit:sshFromLan[0]' <your LAN range> and pulumi config set clawkit:sshHostKey '<its ssh-ed25519 host key>'"
fi
[ "$arrival_only" -eq 0 ] || exit 0

# 2. Root without a password: every later step runs through sudo -n.
sudo -n true 2>/dev/null || refuse "the admin $(id -un) cannot sudo without a password" \
  "echo '$(id -un) ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/90-clawkit-admin, or set clawkit:adminUser to a login that can"

# 3. The system the kit's packages and scripts are made for.
codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
[ "$codename" = bookworm ] || refuse "this machine runs ${codename:-an unknown system}, not Debian 12 (bookworm)" \
  "install Debian 12 or Raspberry Pi OS (bookworm) on it"
arch=$(dpkg --print-architecture)
case $arch in amd64 | arm64) ;; *) refuse "this machine's userland is $arch; the kit's Node.js runtime is amd64 or arm64 only" \
  "install the 64-bit (arm64) system" ;; esac
[ -r /etc/ssh/ssh_host_ed25519_key.pub ] || refuse "sshd has no ed25519 host key, the only one the kit pins and serves" \
  "sudo ssh-keygen -A && sudo systemctl reload ssh"

# 4. The tailnet: the gateway is served there and sshd answers there. The kit joins it
#    only when asked to, with its one-off key (provision.sh); the package is the operator's.
command -v tailscale >/dev/null || refuse "tailscale is not installed" \
  "install Tailscale's package (https://tailscale.com/download/linux/debian-bookworm)"
if [ "$joining" -eq 0 ] && ! tailscale status >/dev/null 2>&1; then
  refuse "tailscale is not up on this machine" "sudo tailscale up, or let the kit join it: pulumi config set clawkit:tailnetJoin true"
fi

# 5. A machine the kit can take: nobody else's agent users, ports or tailscale serve,
#    and no other stack's record. Docker's containers would lose their network to the
#    kit's routed deny.
record=/var/lib/clawkit/before
recorded=$(sudo -n cat "$record/owner" 2>/dev/null || true)
if [ -n "$recorded" ] && [ "$recorded" != "$owner" ]; then
  refuse "this machine is provisioned by $recorded, not by $owner" \
    "destroy that stack first (pulumi destroy there), or point clawkit:host at another machine"
fi
if [ -z "$recorded" ]; then
  for user in openclaw clawkit-credgw clawkit-alert clawkit-backup; do
    if id "$user" >/dev/null 2>&1; then
      refuse "a user named $user already exists, and the kit did not make it" \
        "remove that user (sudo userdel $user) or use a machine without it"
    fi
  done
  taken=$(ss -Hltn 2>/dev/null | awk '{ n = split($4, a, ":"); p = a[n]; if (p >= 3128 && p <= 3132) print p }' | sort -u | tr '\n' ' ')
  [ -z "$taken" ] || refuse "ports $taken(the kit's proxies) are already in use" "stop what listens there, or use another machine"
  if tailscale serve status --json 2>/dev/null | grep -q '"Proxy"'; then
    refuse "tailscale serve already publishes something here; the kit would replace it" "sudo tailscale serve reset, or use another machine"
  fi
  if [ -e /var/run/docker.sock ] || systemctl is-enabled --quiet docker.service 2>/dev/null; then
    refuse "Docker is installed; the kit denies routed traffic, which cuts its containers off" \
      "use a machine without Docker for the agent"
  fi
fi

# 6. What the kit pins, and the machine's name on the tailnet.
cut -d ' ' -f 1,2 /etc/ssh/ssh_host_ed25519_key.pub
tailscale status --json 2>/dev/null | awk '
  /"Self"[ \t]*:/ { self = 1 }
  self && /"DNSName"[ \t]*:/ { sub(/.*"DNSName"[ \t]*:[ \t]*"/, ""); sub(/".*/, ""); print; exit }' || true
