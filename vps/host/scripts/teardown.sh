#!/bin/sh
# What the kit installs on a machine the operator owns (clawkit:target host), undone.
# Sent on stdin after the host's clawkit.env (its names and paths), run as root:
#   teardown.sh record --owner STACK/AGENT
#       Before the first provisioning, once: what the machine was before the kit
#       (ufw, which of the kit's packages it had, their units, the files the kit replaces).
#   teardown.sh remove --owner STACK/AGENT [--delete-state]
#       pulumi destroy: stops and removes everything the kit installed and restores what
#       it recorded. The agent's state stays (root's, 0700) unless --delete-state. The
#       machine stays on the tailnet and sshd keeps answering there.
set -eu
: "${CLAWKIT_PACKAGES:?the host settings come first on stdin}"

log() { printf 'clawkit teardown: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

record=/var/lib/clawkit/before
# Files the kit replaces: kept as they were, put back on removal.
replaced="/etc/squid/squid.conf /etc/apt/apt.conf.d/20auto-upgrades /etc/default/ufw /etc/ufw/user.rules /etc/ufw/user6.rules"
# Units the kit enables or masks that Debian's packages ship.
package_units="squid auditd unattended-upgrades nginx"
lib=/usr/local/lib/clawkit

action=${1:-}
[ $# -gt 0 ] && shift
owner="" delete_state=0
while [ $# -gt 0 ]; do
  case $1 in
    --owner) owner=$2 && shift 2 ;;
    --delete-state) delete_state=1 && shift ;;
    *) die "unknown argument: $1" ;;
  esac
done
[ -n "$owner" ] || die "usage: teardown.sh record|remove --owner STACK/AGENT [--delete-state]"

recorded_owner() { cat "$record/owner" 2>/dev/null || true; }

record_machine() {
  was=$(recorded_owner)
  if [ -n "$was" ]; then
    [ "$was" = "$owner" ] || die "this machine is provisioned by $was, not by $owner"
    return 0
  fi
  next=$(mktemp -d /var/lib/clawkit-before.XXXXXX)
  if command -v ufw >/dev/null; then
    if ufw status | grep -q '^Status: active'; then echo active >"$next/ufw"; else echo inactive >"$next/ufw"; fi
    ufw show added >"$next/ufw-rules"
  else
    echo absent >"$next/ufw"
  fi
  for p in $CLAWKIT_PACKAGES; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then echo "$p"; fi
  done >"$next/packages"
  for unit in $package_units; do
    printf '%s %s\n' "$unit" "$(systemctl is-enabled "$unit.service" 2>/dev/null || true)"
  done >"$next/units"
  for f in $replaced; do
    if [ -e "$f" ]; then
      mkdir -p "$next/files$(dirname "$f")"
      cp -p "$f" "$next/files$f"
    fi
  done
  printf '%s\n' "$owner" >"$next/owner"
  mkdir -p "$(dirname "$record")"
  chmod 700 "$next"
  mv -T "$next" "$record"
  log "recorded the machine before the kit, for $owner"
}

was_enabled() { awk -v u="$1" '$1 == u { print $2 }' "$record/units"; }
had_package() { grep -qx "$1" "$record/packages"; }

remove_kit() {
  was=$(recorded_owner)
  if [ -z "$was" ]; then
    log "nothing recorded: the kit never provisioned this machine"
    return 0
  fi
  [ "$was" = "$owner" ] || die "this machine is provisioned by $was, not by $owner"
  kit_users="$CLAWKIT_AGENT_USER $CLAWKIT_CREDGW_USER $CLAWKIT_ALERT_USER $CLAWKIT_BACKUP_USER"
  backup_timer="${CLAWKIT_BACKUP_UNIT%.service}.timer"
  kit_units="$CLAWKIT_GATEWAY_UNIT $CLAWKIT_CREDGW_UNIT $CLAWKIT_ALERT_UNIT clawkit-firewall-check.service clawkit-firewall-check.timer $CLAWKIT_BACKUP_UNIT $backup_timer"

  # 1. Nothing of the kit runs any more; the gateway leaves tailscale serve. Never a
  #    logout: the machine is the operator's, and stays on the tailnet.
  for unit in $kit_units; do systemctl disable --now --quiet "$unit" 2>/dev/null || true; done
  for user in $kit_users; do pkill -KILL -u "$user" 2>/dev/null || true; done
  if command -v tailscale >/dev/null && tailscale serve status --json 2>/dev/null | grep -qF "\"Proxy\": \"http://127.0.0.1:$CLAWKIT_GATEWAY_PORT\""; then
    tailscale serve --https=443 off >/dev/null
  fi

  # 2. apt's hooks first: one of them calls a script about to go.
  rm -f /etc/apt/apt.conf.d/52clawkit-unattended-upgrades /etc/apt/apt.conf.d/80clawkit-credential-gateway
  restore_file /etc/apt/apt.conf.d/20auto-upgrades

  # 3. The kit's units and drop-ins.
  for unit in $kit_units; do rm -f "/etc/systemd/system/$unit"; done
  rm -f /etc/systemd/system/squid.service.d/10-clawkit.conf /etc/systemd/journald.conf.d/10-clawkit.conf \
    /etc/audit/rules.d/50-clawkit.rules /var/lib/systemd/timers/stamp-clawkit-*
  rmdir /etc/systemd/system/squid.service.d /etc/systemd/journald.conf.d 2>/dev/null || true
  systemctl daemon-reload
  systemctl restart systemd-journald
  if command -v augenrules >/dev/null && ! systemd-detect-virt --quiet --container; then augenrules --load >/dev/null; fi

  # 4. The proxy's configuration and the packages' units as they were; the packages the
  #    kit installed go (curl, python3 and ca-certificates only become removable: others
  #    may depend on them).
  rm -f /etc/squid/clawkit-*
  restore_file /etc/squid/squid.conf
  for unit in $package_units; do
    state=$(was_enabled "$unit")
    case $state in
      masked) ;;
      enabled) systemctl unmask --quiet "$unit.service" && systemctl enable --quiet "$unit.service" ;;
      *)
        systemctl unmask --quiet "$unit.service" 2>/dev/null || true
        if [ -n "$state" ]; then systemctl disable --now --quiet "$unit.service" 2>/dev/null || true; fi
        ;;
    esac
  done
  if [ "$(was_enabled squid)" = enabled ]; then systemctl restart squid; fi
  purge="" keep=""
  for p in $CLAWKIT_PACKAGES; do
    had_package "$p" && continue
    case $p in
      ufw) ;;
      curl | python3 | ca-certificates) keep="$keep $p" ;;
      *) purge="$purge $p" ;;
    esac
  done
  # shellcheck disable=SC2086
  if [ -n "$keep" ]; then apt-mark auto $keep >/dev/null; fi
  if [ -n "$purge" ]; then
    log "purging what the kit installed:$purge"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $purge >/dev/null
  fi

  # 5. sshd as the operator had it: sessions live on; it still offers the pinned key.
  if [ -e /etc/ssh/sshd_config.d/10-clawkit.conf ]; then
    rm -f /etc/ssh/sshd_config.d/10-clawkit.conf
    sshd -t || die "sshd -t fails without the kit's drop-in; sshd was not reloaded"
    systemctl reload ssh
  fi

  # 6. The firewall: the kit's rules out (before its users go: the owner-match rules
  #    name them), the policies back, and ufw as it was.
  if [ -x "$lib/scripts/firewall.sh" ]; then sh "$lib/scripts/firewall.sh" --remove; fi
  # ufw writes its rules files its own way: with the same rules as before the kit (none
  # of the operator's added since), the files go back byte for byte.
  if [ -e "$record/ufw-rules" ] && [ "$(ufw show added)" = "$(cat "$record/ufw-rules")" ]; then
    restore_file /etc/ufw/user.rules
    restore_file /etc/ufw/user6.rules
  fi
  case $(cat "$record/ufw") in
    active)
      restore_file /etc/default/ufw
      ufw reload >/dev/null
      ;;
    inactive)
      restore_file /etc/default/ufw
      ufw --force disable >/dev/null
      ;;
    absent)
      ufw --force disable >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ufw >/dev/null
      ;;
  esac

  # 7. The kit's users, its secrets (shredded), and its files.
  for user in $kit_users; do
    if id "$user" >/dev/null 2>&1; then userdel "$user"; fi
    if getent group "$user" >/dev/null; then groupdel "$user"; fi
  done
  if [ -d /etc/clawkit ]; then find /etc/clawkit -type f -exec shred -u {} +; fi
  rm -rf /etc/clawkit "$lib" /opt/clawkit /var/cache/clawkit "$CLAWKIT_BACKUP_CACHE" \
    "/var/lib/$CLAWKIT_ALERT_USER" /run/clawkit "/run/${CLAWKIT_CREDGW_UNIT%.service}"
  rm -f /usr/local/sbin/clawkit-*

  # 8. The agent's state: deleted on request; otherwise root's alone, so that no later
  #    user given the same uid can read it. A later provisioning adopts it back.
  if [ -d "$CLAWKIT_STATE_DIR" ]; then
    if [ "$delete_state" -eq 1 ]; then
      rm -rf "$CLAWKIT_STATE_DIR"
      log "deleted the agent's state"
    else
      chown -R root:root "$CLAWKIT_STATE_DIR"
      chmod 700 "$CLAWKIT_STATE_DIR"
      touch "$CLAWKIT_STATE_DIR/.clawkit-kept"
      log "kept the agent's state in $CLAWKIT_STATE_DIR (root's, 0700)"
    fi
  fi

  # 9. The record, last: until here a failed removal can run again.
  rm -rf /var/lib/clawkit
  log "removed the kit; the machine stays on the tailnet"
}

# restore_file PATH: the recorded copy back, or no file when there was none.
restore_file() {
  if [ -e "$record/files$1" ]; then
    cp -p "$record/files$1" "$1"
  else
    rm -f "$1"
  fi
}

case $action in
  record) record_machine ;;
  remove) remove_kit ;;
  *) die "usage: teardown.sh record|remove --owner STACK/AGENT [--delete-state]" ;;
esac
