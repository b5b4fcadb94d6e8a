#!/bin/sh
# The pinned openclaw CLI for the operator, as root, against the running gateway on
# loopback (installed as clawkit-openclaw):
#   sudo clawkit-openclaw devices list
#   sudo clawkit-openclaw devices approve <requestId>
# No device or node is paired without this approval (the kit turns openclaw's silent
# local pairing off). Root's own home, never the agent's state; the token from the
# root-only secrets file, in this process's environment only (never argv). The agent
# user cannot do the same: the firewall keeps it off the gateway's port.
set -eu
[ "$(id -u)" -eq 0 ] || {
  echo "clawkit-openclaw: run it as root (sudo clawkit-openclaw ...)" >&2
  exit 1
}
etc=/etc/clawkit
# shellcheck source=/dev/null
. "$etc/clawkit.env"
OPENCLAW_GATEWAY_TOKEN=$(sed -n 's/^OPENCLAW_GATEWAY_TOKEN=//p' "$etc/secrets.env")
[ -n "$OPENCLAW_GATEWAY_TOKEN" ] || {
  echo "clawkit-openclaw: no gateway token in $etc/secrets.env (pulumi up installs it)" >&2
  exit 1
}
export OPENCLAW_GATEWAY_TOKEN OPENCLAW_GATEWAY_PORT="$CLAWKIT_GATEWAY_PORT"
export HOME=/root OPENCLAW_NIX_MODE=1 NO_COLOR=1
exec /opt/clawkit/node/node /opt/clawkit/openclaw/node_modules/openclaw/openclaw.mjs "$@"
