#!/bin/sh
# Brings the host to the state the bundle describes. Run as root from an
# unpacked bundle (scripts/ and files/ side by side). Idempotent: a second run
# with the same bundle changes no file and restarts nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/host-lib.sh"
files="$here/../files"
# shellcheck source=/dev/null
. "$files/clawkit.env"

# An owned machine: the kit's connection must still arrive as its preflight saw it
# (preflight.sh says why), or nothing changes.
case ${1:-} in
  --arrived)
    arrived=$2
    set -- --arrival-only --arrived "$arrived"
    for cidr in ${CLAWKIT_SSH_FROM_LAN:-}; do set -- "$@" --lan "$cidr"; done
    sh "$here/preflight.sh" "$@"
    ;;
  "") ;;
  *) die "usage: provision.sh [--arrived \"\$SSH_CONNECTION\"]" ;;
esac

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
ln -sfn "$lib/scripts/openclaw-operator.sh" /usr/local/sbin/clawkit-openclaw
ln -sfn "$lib/scripts/posture.sh" /usr/local/sbin/clawkit-posture
ln -sfn "$lib/scripts/lockdown.sh" /usr/local/sbin/clawkit-lockdown
# What firewall.sh and lockdown.sh pick from: each state's firewall block and includes.
for f in "$files"/ufw-agent*.rules "$files"/*-lockdown-*.conf; do
  install_file "$f" "$lib/files/$(basename "$f")" 644 root:root lib-files
done
if locked_down; then log "locked down since $(cat "$CLAWKIT_LOCKDOWN_FILE"): the gateway stays stopped and off the tailnet"; fi

# 2. Packages from Debian only. Node.js and openclaw come from the lockfile below.
#    nginx is the credential gateway's program, run by clawkit's own unit: Debian's
#    nginx.service (a default site on port 80) is masked before the package could start it.
if [ "$(systemctl is-enabled nginx.service 2>/dev/null || true)" != masked ]; then
  systemctl mask --quiet nginx.service
  log "masked Debian's nginx.service"
fi
if systemctl is-active --quiet nginx.service; then systemctl stop nginx.service; fi
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

# 3. Users: the agent and the credential gateway's workers have no shell, no
#    password and no sudo; nor have the alert watcher's and the backup's.
if ! id "$CLAWKIT_AGENT_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$CLAWKIT_STATE_DIR" --no-create-home \
    --shell /usr/sbin/nologin --user-group "$CLAWKIT_AGENT_USER"
fi
for service_user in "$CLAWKIT_CREDGW_USER" "$CLAWKIT_ALERT_USER" "$CLAWKIT_BACKUP_USER"; do
  if ! id "$service_user" >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin --user-group "$service_user"
  fi
done

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
# State an earlier teardown kept (root's alone, teardown.sh): the agent's again. A
# file with a second hard link stays root's: it may be someone else's file.
if [ -e "$CLAWKIT_STATE_DIR/.clawkit-kept" ]; then
  find "$CLAWKIT_STATE_DIR" -xdev ! -path "$CLAWKIT_STATE_DIR" \( -type d -o -links 1 \) \
    -exec chown -h "$CLAWKIT_AGENT_USER:$CLAWKIT_AGENT_USER" {} +
  rm -f "$CLAWKIT_STATE_DIR/.clawkit-kept"
  log "adopted the agent's state a teardown kept"
  mark_changed gateway
fi

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

# Checks a new file must pass before it replaces the old one (install_file's CHECK).
# Each gets the new file, already at its final mode and owner, beside the old one.
# openclaw's strict schema: an unknown key would make the gateway exit 78.
check_openclaw_config() {
  verdict=$(openclaw_as_agent "$1" config validate --json 2>&1) || {
    log "openclaw config validate: $verdict"
    return 1
  }
  case $verdict in *'"valid":true'*) return 0 ;; esac
  log "openclaw config validate: $verdict"
  return 1
}
# systemd only warns about an unknown key or a bad value, and drops the line: a
# dropped sandbox line is a hole, so any remark about the unit fails it.
check_unit() {
  unit_name=$(basename "${1%.clawkit.*}")
  unit_dir=$(mktemp -d)
  cp "$1" "$unit_dir/$unit_name"
  remarks=$(systemd-analyze verify "$unit_dir/$unit_name" 2>&1)
  verified=$?
  rm -rf "$unit_dir"
  case $remarks in *"$unit_name"*) verified=1 ;; esac
  [ "$verified" -eq 0 ] && return 0
  log "systemd-analyze verify: $remarks"
  return 1
}
# The new drop-in first, then the rest of sshd's config as it is.
check_sshd() {
  sshd_main=$(mktemp)
  printf 'Include %s\nInclude /etc/ssh/sshd_config\n' "$1" >"$sshd_main"
  remarks=$(sshd -t -f "$sshd_main" 2>&1)
  verified=$?
  rm -f "$sshd_main"
  [ "$verified" -eq 0 ] && return 0
  log "sshd -t: $remarks"
  return 1
}
check_squid() {
  remarks=$(squid -k parse -f "$1" 2>&1)
  verified=$?
  [ "$verified" -eq 0 ] && return 0
  log "squid -k parse: $(printf '%s\n' "$remarks" | grep -E 'FATAL|ERROR' | head -n 3)"
  return 1
}
# nginx reads the credentials the file includes (root-only) as it checks it, and
# makes its temporary directories in the unit's runtime directory.
check_nginx() {
  mkdir -p "/run/${CLAWKIT_CREDGW_UNIT%.service}"
  remarks=$(nginx -t -q -e stderr -c "$1" 2>&1)
  verified=$?
  [ "$verified" -eq 0 ] && return 0
  log "nginx -t: $remarks"
  return 1
}
# apt stops at a file of its configuration it cannot parse, security updates with it.
check_apt() {
  remarks=$(apt-config -c "$1" dump 2>&1 >/dev/null)
  verified=$?
  [ "$verified" -eq 0 ] && return 0
  log "apt-config: $remarks"
  return 1
}

# 6. Configuration and the unit.
ensure_dir /etc/clawkit 755 root:root
install_file "$files/clawkit.env" /etc/clawkit/clawkit.env 644 root:root gateway
install_file "$files/openclaw.json" /etc/clawkit/openclaw.json 640 "root:$CLAWKIT_AGENT_USER" gateway check_openclaw_config
install_file "$files/openclaw-gateway.service" /etc/systemd/system/openclaw-gateway.service 644 root:root unit check_unit
install_file "$files/clawkit-credential-gateway.service" "/etc/systemd/system/$CLAWKIT_CREDGW_UNIT" 644 root:root credgw-unit check_unit
# The credentials themselves: root-only, written by clawkit-secrets-apply.
ensure_dir "$(dirname "$CLAWKIT_CREDGW_CONFIG")" 755 root:root
ensure_dir "$CLAWKIT_CREDENTIALS_DIR" 700 root:root
# The lockdown includes first: the configurations below name them.
install_lockdown_includes "$lib/files"
install_file "$files/credential-gateway.conf" "$CLAWKIT_CREDGW_CONFIG" 644 root:root credgw check_nginx
# The alert watcher: its unit, and root's firewall check it relies on. The webhook
# file in its directory is written by clawkit-secrets-apply.
install_file "$files/$CLAWKIT_ALERT_UNIT" "/etc/systemd/system/$CLAWKIT_ALERT_UNIT" 644 root:root alert-unit check_unit
install_file "$files/clawkit-firewall-check.service" /etc/systemd/system/clawkit-firewall-check.service 644 root:root alert-unit check_unit
install_file "$files/clawkit-firewall-check.timer" /etc/systemd/system/clawkit-firewall-check.timer 644 root:root alert-unit check_unit
ensure_dir "$(dirname "$CLAWKIT_ALERT_WEBHOOK_FILE")" 750 "root:$CLAWKIT_ALERT_USER"
# The backups: the key and the bucket's token in a directory only the backup user
# reads (written by clawkit-secrets-apply), restic's cache, the status file's directory.
install_file "$files/$CLAWKIT_BACKUP_UNIT" "/etc/systemd/system/$CLAWKIT_BACKUP_UNIT" 644 root:root backup-unit check_unit
install_file "$files/${CLAWKIT_BACKUP_UNIT%.service}.timer" "/etc/systemd/system/${CLAWKIT_BACKUP_UNIT%.service}.timer" 644 root:root backup-unit check_unit
ensure_dir "$CLAWKIT_BACKUP_DIR" 750 "root:$CLAWKIT_BACKUP_USER"
ensure_dir "$CLAWKIT_BACKUP_CACHE" 700 "$CLAWKIT_BACKUP_USER:$CLAWKIT_BACKUP_USER"
ensure_dir "$(dirname "$CLAWKIT_BACKUP_STATUS")" 755 root:root
install_file "$files/exec-approvals.json" /etc/clawkit/exec-approvals.json 644 root:root approvals apply_approvals
if changed approvals; then mark_changed gateway; fi
if changed runtime && ! changed approvals; then
  apply_approvals /etc/clawkit/exec-approvals.json
  mark_changed gateway
fi

# The gateway's compile cache, filled once per runtime (compile-cache.sh says why it is safe).
sh "$here/compile-cache.sh"

# 7. sshd, firewall, proxy, logs, audit, updates.
install_file "$files/sshd-clawkit.conf" /etc/ssh/sshd_config.d/10-clawkit.conf 644 root:root sshd check_sshd
if changed sshd; then systemctl reload ssh; fi
if locked_down; then sh "$lib/scripts/firewall.sh" --lockdown; else sh "$lib/scripts/firewall.sh"; fi
# squid.conf names the list of this host's own addresses: it exists before the check.
self_list=$(mktemp)
sh "$lib/scripts/proxy-self.sh" >"$self_list"
install_file "$self_list" /etc/squid/clawkit-self.acl 644 root:root proxy
rm -f "$self_list"
# squid.conf names the alert list too: empty (no webhook) until secrets-apply fills it.
[ -e "$CLAWKIT_ALERT_PROXY_ACL" ] || install -m 640 -o root -g proxy /dev/null "$CLAWKIT_ALERT_PROXY_ACL"
install_file "$files/squid-clawkit.conf" /etc/systemd/system/squid.service.d/10-clawkit.conf 644 root:root proxy-unit
install_file "$files/squid.conf" /etc/squid/squid.conf 644 root:root proxy check_squid
install_file "$files/journald-clawkit.conf" /etc/systemd/journald.conf.d/10-clawkit.conf 644 root:root journald
install_file "$files/audit-clawkit.rules" /etc/audit/rules.d/50-clawkit.rules 640 root:root audit
install_file "$files/apt-auto-upgrades.conf" /etc/apt/apt.conf.d/20auto-upgrades 644 root:root updates check_apt
install_file "$files/apt-unattended-clawkit.conf" /etc/apt/apt.conf.d/52clawkit-unattended-upgrades 644 root:root updates check_apt
install_file "$files/apt-credgw-upgrade.conf" /etc/apt/apt.conf.d/80clawkit-credential-gateway 644 root:root updates check_apt

if changed unit || changed mount || changed proxy-unit || changed credgw-unit || changed alert-unit || changed backup-unit; then
  systemctl daemon-reload
fi
if changed journald; then systemctl restart systemd-journald; fi
if changed audit; then
  # A container (the system tests' throwaway root) has no kernel audit of its own.
  if systemd-detect-virt --quiet --container; then
    log "audit rules installed; not loaded: no kernel audit inside a container"
  else
    augenrules --load >/dev/null
  fi
fi
if changed proxy || changed proxy-unit; then systemctl restart squid; fi
# A new unit restarts the credential gateway; a new nginx.conf is reloaded (no
# stream is cut). Either way the gateway itself keeps running.
if changed credgw-unit || ! systemctl is-active --quiet "$CLAWKIT_CREDGW_UNIT"; then
  systemctl restart "$CLAWKIT_CREDGW_UNIT"
elif changed credgw; then
  systemctl reload "$CLAWKIT_CREDGW_UNIT"
fi
systemctl enable --quiet squid auditd unattended-upgrades "$CLAWKIT_CREDGW_UNIT" openclaw-gateway.service \
  "$CLAWKIT_ALERT_UNIT" clawkit-firewall-check.timer
if changed alert-unit || changed scripts || ! systemctl is-active --quiet "$CLAWKIT_ALERT_UNIT"; then
  systemctl restart "$CLAWKIT_ALERT_UNIT" clawkit-firewall-check.timer
fi
# The nightly backup runs only with a bucket to go to.
backup_timer="${CLAWKIT_BACKUP_UNIT%.service}.timer"
if [ -n "$CLAWKIT_BACKUP_REPOSITORY" ]; then
  if ! systemctl is-enabled --quiet "$backup_timer" || ! systemctl is-active --quiet "$backup_timer"; then
    systemctl enable --quiet --now "$backup_timer"
    log "nightly backups on"
  fi
elif systemctl is-enabled --quiet "$backup_timer" 2>/dev/null; then
  systemctl disable --quiet --now "$backup_timer"
  log "nightly backups off"
fi

# 8. An owned machine the kit joins to the tailnet (clawkit:tailnetJoin), with the one-off
#    key the kit left in a root-only file just before this run; then the tailnet sees the
#    gateway through `tailscale serve`, but not in a lockdown.
if [ -n "${CLAWKIT_TAILNET_HOSTNAME:-}" ]; then sh "$lib/scripts/tailscale-join.sh" "$CLAWKIT_TAILNET_HOSTNAME"; fi
if locked_down; then unserve_gateway; else serve_gateway; fi

# 9. The gateway starts only once secrets exist (clawkit-secrets-apply starts it);
#    after that, restart it only when something it reads has changed; never in a
#    lockdown (it starts with what changed when the lockdown ends).
if [ -f /etc/clawkit/secrets.env ] && ! locked_down; then
  if changed gateway || changed unit || changed mount || ! systemctl is-active --quiet openclaw-gateway; then
    systemctl restart openclaw-gateway
    "$lib/scripts/secrets-apply.sh" --check
  fi
fi
log "provisioned${CLAWKIT_CHANGED:+ (changed:$CLAWKIT_CHANGED)}"
