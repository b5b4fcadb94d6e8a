#!/bin/sh
# Fills the gateway's V8 compile cache once per installed runtime, so a gateway
# that crashed is serving again in seconds instead of recompiling openclaw.
#
# The cache is code the gateway trusts, so nothing the agent can touch writes it:
# root fills it here from a scratch run of the pinned openclaw that has a fresh
# random token, an empty state directory (tmpfs), no network but its own loopback,
# and no secret; then root owns it and the service only reads it (it sits outside
# the unit's ReadWritePaths). The live gateway cannot reach the scratch directory
# either: /var/cache is read-only inside its sandbox. Node checks each entry
# against the source file it was compiled from, so a stale entry is recompiled,
# never run. A failed fill is not fatal: the gateway just starts slower.
#
# Usage: compile-cache.sh (as root, after the runtime, config and unit are installed)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# shellcheck source=/dev/null
. /etc/clawkit/clawkit.env

cache=$CLAWKIT_COMPILE_CACHE
node=/opt/clawkit/node/node
launcher=/opt/clawkit/openclaw/node_modules/openclaw/openclaw.mjs

# Inside the namespaces: start the gateway as the agent, wait until its start-up is
# complete (/startupz: the sidecars it loads after /healthz are then compiled too),
# stop it cleanly (Node writes the cache as each process exits).
scratch_run() {
  ip link set lo up
  mount -t tmpfs -o "mode=0700,uid=$(id -u "$CLAWKIT_AGENT_USER"),gid=$(id -g "$CLAWKIT_AGENT_USER")" \
    tmpfs "$CLAWKIT_STATE_DIR"
  # The token is made inside the agent's shell, so it never appears in an argv.
  # shellcheck disable=SC2016
  runuser -u "$CLAWKIT_AGENT_USER" -- env -i PATH=/usr/bin:/bin HOME="$CLAWKIT_STATE_DIR" \
    OPENCLAW_STATE_DIR="$CLAWKIT_STATE_DIR/state" OPENCLAW_CONFIG_PATH=/etc/clawkit/openclaw.json \
    OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 NODE_ENV=production NODE_COMPILE_CACHE="$1" \
    sh -c 'OPENCLAW_GATEWAY_TOKEN=$(od -An -tx1 -N32 /dev/urandom | tr -d " \n") exec "$0" "$@"' \
    "$node" "$launcher" gateway run >/dev/null 2>&1 &
  gateway=$!
  tries=0
  until curl -fso /dev/null "http://127.0.0.1:$CLAWKIT_GATEWAY_PORT/startupz"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ] || ! kill -0 "$gateway" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
  kill -TERM "$gateway"
  wait "$gateway" || true
}
if [ "${1:-}" = "--scratch-run" ]; then
  scratch_run "$2"
  exit
fi

# The runtime's lockfiles and how the fill runs: a cache filled another way is filled again.
runtime=$({
  cat /opt/clawkit/node/package-lock.json /opt/clawkit/openclaw/package-lock.json
  echo "filled until /startupz"
} | sha256sum | cut -d' ' -f1)

if [ "$(cat "$cache/.runtime" 2>/dev/null || true)" = "$runtime" ]; then
  exit 0
fi

ensure_dir "$(dirname "$cache")" 755 root:root
scratch=$(mktemp -d "$(dirname "$cache")/fill.XXXXXX")
# The agent must pass through the scratch directory to write its own cache there.
chmod 711 "$scratch"
trap 'rm -rf "$scratch"' EXIT
install -d -m 0700 -o "$CLAWKIT_AGENT_USER" -g "$CLAWKIT_AGENT_USER" "$scratch/cache"
log "filling the gateway's compile cache (one scratch start of the pinned openclaw, offline)"

# A private pid namespace: every process the scratch gateway starts dies with it.
if ! unshare --mount --net --pid --fork --mount-proc --propagation private \
  sh "$here/compile-cache.sh" --scratch-run "$scratch/cache"; then
  log "warning: the compile cache was not filled; the gateway starts without it"
  exit 0
fi

chown -R root:root "$scratch/cache"
chmod -R u=rwX,go=rX "$scratch/cache"
echo "$runtime" >"$scratch/cache/.runtime"
rm -rf "$cache"
mv "$scratch/cache" "$cache"
log "compile cache filled: $(du -sh "$cache" | cut -f1)"
