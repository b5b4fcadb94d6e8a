#!/bin/sh
# Joins the tailnet with the one-off, preauthorized auth key cloud-init wrote to
# a root-only tmpfs file, then destroys the key. The key never reaches argv:
# tailscale reads it from the file.
# Usage: tailscale-join.sh HOSTNAME
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

hostname=${1:?usage: tailscale-join.sh HOSTNAME}
key_file=/run/clawkit/tailscale-authkey

systemctl enable --now tailscaled >/dev/null 2>&1 || die "tailscaled did not start"
if tailscale status >/dev/null 2>&1; then
  log "already on the tailnet"
elif [ -s "$key_file" ]; then
  tailscale up --auth-key="file:$key_file" --hostname="$hostname" \
    --ssh=false --accept-dns=false --accept-routes=false --shields-up=false
  log "joined the tailnet as $hostname"
else
  die "not on the tailnet and no auth key at $key_file"
fi
if [ -e "$key_file" ]; then shred -u "$key_file"; fi
