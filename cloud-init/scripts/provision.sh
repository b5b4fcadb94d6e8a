#!/bin/sh
# Brings the host to the state the bundle describes. Run as root from an
# unpacked bundle (scripts/ and files/ side by side). Idempotent: a second run
# with the same bundle changes no file and restarts nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
files="$here/../files"
# shellcheck source=/dev/null
. "$files/clawkit.env"

export DEBIAN_FRONTEND=noninteractive
lib=/usr/local/lib/clawkit

# 1. The kit's own scripts, where the secrets command and first boot expect them.
ensure_dir "$lib" 755 root:root
ensure_dir "$lib/scripts" 755 root:root
ensure_dir "$lib/files" 755 root:root
for f in "$here"/*.sh; do
  [ "$f" = "$lib/scripts/$(basename "$f")" ] || install_file "$f" "$lib/scripts/$(basename "$f")" 755 root:root scripts
done
ln -sfn "$lib/scripts/secrets-apply.sh" /usr/local/sbin/clawkit-secrets-apply

# 2. Packages from Debian only. Node.js and openclaw come from the lockfile below.
missing=""
for p in $CLAWKIT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing:$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 3. Users: the agent has no shell, no password and no sudo.
if ! id "$CLAWKIT_AGENT_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$CLAWKIT_STATE_DIR" --no-create-home \
    --shell /usr/sbin/nologin --user-group "$CLAWKIT_AGENT_USER"
fi

# 4. The agent's state lives on its own volume, mounted without exec or devices.
ensure_dir "$CLAWKIT_STATE_DIR" 750 "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER"
if [ -n "${CLAWKIT_VOLUME_DEVICE:-}" ]; then
  line="$CLAWKIT_VOLUME_DEVICE $CLAWKIT_STATE_DIR ext4 defaults,nofail,nodev,nosuid,noexec,x-systemd.device-timeout=30s 0 2"
  if ! grep -qxF "$line" /etc/fstab; then
    grep -v " $CLAWKIT_STATE_DIR " /etc/fstab >/etc/fstab.clawkit || true
    echo "$line" >>/etc/fstab.clawkit
    mv /etc/fstab.clawkit /etc/fstab
    systemctl daemon-reload
    mark_changed mount
  fi
  mountpoint -q "$CLAWKIT_STATE_DIR" || mount "$CLAWKIT_STATE_DIR"
  ensure_dir "$CLAWKIT_STATE_DIR" 750 "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER"
fi
ensure_dir "$CLAWKIT_STATE_DIR/state" 700 "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER"

# 5. Node.js, npm and openclaw: exactly the bytes in the two lockfiles, no install
#    scripts, owned by root so the agent cannot alter them.
ensure_dir /opt/clawkit 755 root:root
for part in node openclaw; do
  ensure_dir "/opt/clawkit/$part" 755 root:root
  install_file "$files/$part/package.json" "/opt/clawkit/$part/package.json" 644 root:root runtime
  install_file "$files/$part/package-lock.json" "/opt/clawkit/$part/package-lock.json" 644 root:root runtime
done
if changed runtime || [ ! -x /opt/clawkit/node/node ]; then
  log "installing the pinned Node.js and openclaw"
  sh "$here/install-runtime.sh" /opt/clawkit/node /opt/clawkit/openclaw
  chown -R root:root /opt/clawkit
  chmod -R go-w /opt/clawkit
  mark_changed gateway
fi
/opt/clawkit/node/node --version >/dev/null || die "the pinned Node.js does not run on this host"

# 6. Configuration and the unit.
ensure_dir /etc/clawkit 755 root:root
install_file "$files/clawkit.env" /etc/clawkit/clawkit.env 644 root:root gateway
install_file "$files/openclaw.json" /etc/clawkit/openclaw.json 640 "root:$CLAWKIT_AGENT_USER" gateway
install_file "$files/openclaw-gateway.service" /etc/systemd/system/openclaw-gateway.service 644 root:root unit

# openclaw keeps exec approvals in its state database: hand it the rendered
# document, as the agent user, whenever the document or the runtime changed.
install_file "$files/exec-approvals.json" /etc/clawkit/exec-approvals.json 644 root:root approvals
if changed approvals || changed runtime; then
  runuser -u "$CLAWKIT_AGENT_USER" -- env -i PATH=/usr/bin:/bin HOME="$CLAWKIT_STATE_DIR" \
    OPENCLAW_STATE_DIR="$CLAWKIT_STATE_DIR/state" OPENCLAW_CONFIG_PATH=/etc/clawkit/openclaw.json \
    OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 \
    /opt/clawkit/node/node /opt/clawkit/openclaw/node_modules/openclaw/openclaw.mjs \
    approvals set --file /etc/clawkit/exec-approvals.json >/dev/null
  mark_changed gateway
fi

# The gateway's compile cache, filled once per runtime (compile-cache.sh says why it is safe).
sh "$here/compile-cache.sh"

# 7. sshd, firewall, proxy, logs, audit, updates.
install_file "$files/sshd-clawkit.conf" /etc/ssh/sshd_config.d/10-clawkit.conf 644 root:root sshd
if changed sshd; then sshd -t && systemctl reload ssh; fi
sh "$lib/scripts/firewall.sh"
install_file "$files/squid.conf" /etc/squid/squid.conf 644 root:root proxy
install_file "$files/journald-clawkit.conf" /etc/systemd/journald.conf.d/10-clawkit.conf 644 root:root journald
install_file "$files/audit-clawkit.rules" /etc/audit/rules.d/50-clawkit.rules 640 root:root audit
install_file "$files/apt-auto-upgrades.conf" /etc/apt/apt.conf.d/20auto-upgrades 644 root:root updates
install_file "$files/apt-unattended-clawkit.conf" /etc/apt/apt.conf.d/52clawkit-unattended-upgrades 644 root:root updates

if changed unit || changed mount; then systemctl daemon-reload; fi
if changed journald; then systemctl restart systemd-journald; fi
if changed audit; then
  # A container (the system tests' throwaway root) has no kernel audit of its own.
  if systemd-detect-virt --quiet --container; then
    log "audit rules installed; not loaded: no kernel audit inside a container"
  else
    augenrules --load >/dev/null
  fi
fi
if changed proxy; then
  squid -k parse -f /etc/squid/squid.conf >/dev/null 2>&1 || die "squid rejects the rendered config"
  systemctl restart squid
fi
systemctl enable --quiet squid auditd unattended-upgrades openclaw-gateway.service

# 8. The tailnet sees the gateway through `tailscale serve` (HTTPS, tailnet only).
#    Funnel is switched off explicitly: the gateway is never on the internet.
if command -v tailscale >/dev/null; then
  tailscale funnel --https=443 off >/dev/null 2>&1 || true
  want="http://127.0.0.1:$CLAWKIT_GATEWAY_PORT"
  if ! tailscale serve status --json 2>/dev/null | grep -qF "\"Proxy\": \"$want\""; then
    tailscale serve --bg --https=443 "$want" >/dev/null
    log "tailscale serve: https :443 -> $want"
  fi
fi

# 9. The gateway starts only once secrets exist (clawkit-secrets-apply starts it);
#    after that, restart it only when something it reads has changed.
if [ -f /etc/clawkit/secrets.env ]; then
  if changed gateway || changed unit || changed mount || ! systemctl is-active --quiet openclaw-gateway; then
    systemctl restart openclaw-gateway
    "$lib/scripts/secrets-apply.sh" --check
  fi
fi
log "provisioned${CLAWKIT_CHANGED:+ (changed:$CLAWKIT_CHANGED)}"
