#!/usr/bin/env bash
# Installs the Debian packages the test layers need (run as root on Debian 12).
# Services these packages bring (sshd, squid, nginx, cloud-init) are neither started nor
# left enabled: the tests only run their binaries, and a test machine should not
# start listening on port 22 because it ran the tests.
set -euo pipefail

packages=(
  ca-certificates curl python3 tar gzip coreutils iproute2 util-linux
  cloud-init        # cloud-init schema
  shellcheck        # every shipped script
  systemd           # systemd-analyze verify / security
  openssh-server    # sshd -t / -T
  openssh-client    # ssh-keygen (unit: sshPrivateKey), ssh (system: the operator of a machine it owns)
  squid             # squid -k parse
  nginx             # nginx -t, and the credential gateway in the agent-turn test
  openssl           # the test CA the fake upstreams' certificates come from
  systemd-container # the system layer's throwaway root (systemd-nspawn)
  sudo              # inside that root: the admin runs provisioning through sudo, as on a server
  git               # moltworker deploy: the pinned-checkout test
  restic            # the system layer opens the fake bucket with the backup key
)

[ "$(id -u)" -eq 0 ] || { echo "install-system-deps: run as root (sudo)" >&2; exit 1; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
had_policy=no
[ -e "$policy" ] && had_policy=yes
if [ "$had_policy" = no ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: installed ${missing[*]}"

if [ -d /run/systemd/system ]; then
  for unit in ssh.service ssh.socket squid.service nginx.service cloud-init.service cloud-init-local.service cloud-config.service cloud-final.service; do
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
