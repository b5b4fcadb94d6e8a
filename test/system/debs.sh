#!/usr/bin/env bash
# Fetches the .debs the throwaway root needs but this machine lacks (for example
# ufw, auditd), with their missing dependencies, WITHOUT installing them here: their
# maintainer scripts could change this machine's firewall or start services. The
# harness then runs `dpkg -i` on them inside the throwaway root only.
#
# Usage: debs.sh [--dir DIR] PACKAGE...
#   Prints the cache directory; it then holds exactly the .debs to install (none
#   when everything is installed already). Default DIR: /var/cache/clawkit-system-debs
#   (override with CLAWKIT_SYSTEM_DEBS). Reuses .debs it fetched before.
set -euo pipefail

dir="${CLAWKIT_SYSTEM_DEBS:-/var/cache/clawkit-system-debs}"
if [ "${1:-}" = --dir ]; then
  dir=$2
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: debs.sh [--dir DIR] PACKAGE..." >&2; exit 2; }

# What `apt-get install` would unpack on a machine like this one (the throwaway
# root's lower layer is this machine's /). -s only simulates: nothing changes here.
plan() {
  apt-get install -s -qq --no-install-recommends "$@" 2>&1
}
if ! out=$(plan "$@") || grep -q '^E:' <<<"$out"; then
  # Package lists may be missing or stale on a fresh machine: refresh once.
  apt-get update -qq >/dev/null
  out=$(plan "$@") || { echo "$out" >&2; echo "debs.sh: apt cannot install: $*" >&2; exit 1; }
fi
mapfile -t wanted < <(awk '$1 == "Inst" { v = $3; gsub(/[()]/, "", v); print $2 "=" v }' <<<"$out")

mkdir -p "$dir/by-plan"
set_name=$(printf '%s\n' "$@" | sort -u | paste -sd+ | tr -c 'a-zA-Z0-9+.\n-' _)
set_dir="$dir/by-plan/$set_name"
rm -rf "$set_dir"
mkdir -p "$set_dir"
if [ ${#wanted[@]} -gt 0 ]; then
  # apt-get download as root warns that it cannot drop privileges to _apt: harmless.
  (
    cd "$dir"
    apt-get download -qq "${wanted[@]}" 2>&1 | { grep -v 'unsandboxed as root' >&2 || true; }
  )
  for w in "${wanted[@]}"; do
    name=${w%%=*}
    version=${w#*=}
    # apt-get download names files NAME_VERSION_ARCH.deb with ':' as %3a.
    deb=$(find "$dir" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" | head -n 1)
    [ -n "$deb" ] || { echo "debs.sh: could not download $w" >&2; exit 1; }
    ln -f "$deb" "$set_dir/"
  done
fi
echo "$set_dir"
