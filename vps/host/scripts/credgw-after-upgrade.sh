#!/bin/sh
# Run by apt after every dpkg run (DPkg::Post-Invoke): restarts the credential
# gateway when an upgrade replaced the nginx binary it runs, so a security fix
# reaches the process that holds the keys. Debian's own restart of nginx does
# not: it targets nginx.service, which the kit keeps masked. Restarts nothing
# otherwise, and never fails apt.
set -eu
[ -d /run/systemd/system ] && [ -f /etc/clawkit/clawkit.env ] || exit 0
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env
unit=$CLAWKIT_CREDGW_UNIT
pid=$(systemctl show -p MainPID --value "$unit" 2>/dev/null || true)
case $pid in "" | 0) exit 0 ;; esac
exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
case $exe in
  *" (deleted)")
    logger -t clawkit "nginx was upgraded: restarting $unit" || true
    systemctl restart "$unit" || logger -t clawkit "restarting $unit failed" || true
    ;;
esac
exit 0
