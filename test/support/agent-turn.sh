#!/bin/sh
# One offline agent turn through a real gateway, for the exec test. Run by the
# test inside a private mount and network namespace (root): a tmpfs over /var/lib
# keeps the rendered config's paths off this machine, and loopback is its own.
# Usage: agent-turn.sh DIR, holding openclaw.json, exec-approvals.json, the
# credential gateway's credential-gateway.conf and credentials/, the test CA
# (ca.crt, server.crt, server.key) and etc/{passwd,group,hosts}. The model is
# reached as on a server: gateway -> credential gateway (nginx, its own user) ->
# the fake model over TLS as api.anthropic.com. The fake model's log lands in
# DIR/model.log, the gateway's output in DIR/gateway.out, nginx's in DIR/credgw.out.
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$root/vps/host/node/node"
openclaw="$root/vps/host/openclaw/node_modules/openclaw/openclaw.mjs"

ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t tmpfs -o mode=0755 tmpfs /run
for f in passwd group hosts; do mount --bind "$dir/etc/$f" "/etc/$f"; done
mount --bind "$dir/ca.crt" /etc/ssl/certs/ca-certificates.crt
export HOME="$dir/home" OPENCLAW_STATE_DIR="$dir/state" OPENCLAW_CONFIG_PATH="$dir/openclaw.json"
export OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 NODE_ENV=production NO_COLOR=1
mkdir -p "$HOME" "$OPENCLAW_STATE_DIR"

FAKE_LOG="$dir/model.log" FAKE_TLS_CERT="$dir/server.crt" FAKE_TLS_KEY="$dir/server.key" \
  "$node" "$here/fake-upstream.js" &
model=$!
# systemd makes the runtime directory on the host (RuntimeDirectory=).
mkdir -p /run/clawkit-credential-gateway
/usr/sbin/nginx -e stderr -c "$dir/credential-gateway.conf" >>"$dir/credgw.out" 2>&1 &
credgw=$!
sleep 0.5
kill -0 "$credgw" 2>/dev/null || { echo "the credential gateway did not start" >&2; exit 1; }
"$node" "$openclaw" approvals set --file "$dir/exec-approvals.json" >"$dir/approvals.out" 2>&1

# Test values only: this gateway lives and dies inside the namespace. It holds no model key.
OPENCLAW_GATEWAY_TOKEN=$(printf 'T%.0s' $(seq 64))
export OPENCLAW_GATEWAY_TOKEN
"$node" "$openclaw" gateway run >"$dir/gateway.out" 2>&1 &
gateway=$!
tries=0
until grep -q "\[gateway\] ready" "$dir/gateway.out"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ] || ! kill -0 "$gateway" 2>/dev/null; then
    echo "the gateway did not get ready" >&2
    exit 1
  fi
  sleep 1
done
timeout 150 "$node" "$openclaw" agent --agent main --message "run the commands" --timeout 120 --json >"$dir/agent.out" 2>&1
kill "$gateway" "$model" "$credgw"
wait "$gateway" 2>/dev/null || true
