#!/bin/sh
# One offline agent turn through a real gateway, for the exec test. Run by the
# test inside a private mount and network namespace (root): a tmpfs over /var/lib
# keeps the rendered config's paths off this machine, and loopback is its own.
# Usage: agent-turn.sh DIR (holding openclaw.json and exec-approvals.json); the
# fake model's log lands in DIR/model.log, the gateway's output in DIR/gateway.out.
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$root/cloud-init/node/node"
openclaw="$root/cloud-init/openclaw/node_modules/openclaw/openclaw.mjs"

ip link set lo up
mount -t tmpfs -o mode=0755 tmpfs /var/lib
export HOME="$dir/home" OPENCLAW_STATE_DIR="$dir/state" OPENCLAW_CONFIG_PATH="$dir/openclaw.json"
export OPENCLAW_CONFIG_READONLY=1 OPENCLAW_NIX_MODE=1 NODE_ENV=production NO_COLOR=1
mkdir -p "$HOME" "$OPENCLAW_STATE_DIR"

FAKE_LOG="$dir/model.log" "$node" "$here/fake-anthropic.js" &
model=$!
"$node" "$openclaw" approvals set --file "$dir/exec-approvals.json" >"$dir/approvals.out" 2>&1

# Test values only: this gateway lives and dies inside the namespace.
OPENCLAW_GATEWAY_TOKEN=$(printf 'T%.0s' $(seq 64))
export OPENCLAW_GATEWAY_TOKEN ANTHROPIC_API_KEY=sk-ant-api03-TESTONLY
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
kill "$gateway" "$model"
wait "$gateway" 2>/dev/null || true
