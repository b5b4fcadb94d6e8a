#!/bin/sh
# Runs once after cloud-init's last stage: destroys cloud-init's copies of the
# user-data (which held the one-off tailnet key) and disables cloud-init, which
# would otherwise fetch and store the user-data again at every boot.
set -eu
for f in /var/lib/cloud/instances/*/user-data.txt \
  /var/lib/cloud/instances/*/user-data.txt.i \
  /var/lib/cloud/instances/*/cloud-config.txt \
  /var/lib/cloud/instances/*/obj.pkl \
  /var/lib/cloud/seed/nocloud/user-data \
  /var/lib/cloud/seed/nocloud-net/user-data \
  /run/cloud-init/instance-data-sensitive.json \
  /run/cloud-init/combined-cloud-config.json \
  /run/clawkit/tailscale-authkey; do
  if [ -f "$f" ]; then shred -u "$f"; fi
done
mkdir -p /etc/cloud
touch /etc/cloud/cloud-init.disabled
printf 'clawkit: user-data copies shredded, cloud-init disabled\n' >&2
