#!/bin/sh
# Prints every address of this host (every interface, IPv4 and IPv6, with the NAT64
# form of each IPv4 one), a line each, for the egress proxy's `clawkit_self` ACL: an
# allowlisted name that resolves to the host's own public address is refused like
# loopback. squid.service runs it before every start (clawkit's drop-in) and
# provisioning runs it, restarting squid when the list changed. The firewall's
# addrtype rule for the proxy user is the second wall for an address that appears
# while squid runs. Fails when it finds no address: squid then does not start.
set -eu

list=$(ip -o addr show | awk '$3 == "inet" || $3 == "inet6" { sub("/.*", "", $4); print $4 }')
[ -n "$list" ] || {
  echo "proxy-self: no address found" >&2
  exit 1
}
for address in $list; do
  echo "$address"
  case $address in
    *:*) ;;
    *)
      # shellcheck disable=SC2046 # the four octets, split on purpose
      set -- $(echo "$address" | tr . ' ')
      printf '64:ff9b::%x:%x\n' $(($1 * 256 + $2)) $(($3 * 256 + $4))
      ;;
  esac
done | sort -u
