#!/usr/bin/env bash
# Installs what the kit needs to deploy (the pinned Node.js 24 and npm, then the
# kit's packages) and runs `pulumi up` for a stack on a local file backend with
# the passphrase secrets provider: no Pulumi Cloud account, nobody else holds
# the state. Usage: scripts/up.sh [STACK] [pulumi up flags…]   (default stack: dev)
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-dev}
if [ $# -gt 0 ]; then shift; fi

command -v pulumi >/dev/null || {
  echo "up: the Pulumi CLI is not on PATH; see the README's quick start (install it, pinned and checksum-verified)" >&2
  exit 1
}
for tool in curl python3 tar; do
  command -v "$tool" >/dev/null || {
    echo "up: $tool is needed to fetch the pinned Node.js: sudo apt-get install -y curl python3 tar" >&2
    exit 1
  }
done

bash scripts/install-node-deps.sh --deploy
export PATH="$PWD/vps/host/node:$PWD/node_modules/.bin:$PATH"

# A local state directory unless the operator already chose a backend.
if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! pulumi whoami >/dev/null 2>&1; then
  export PULUMI_BACKEND_URL="file://$HOME/.clawkit-state"
  mkdir -p "$HOME/.clawkit-state"
  chmod 700 "$HOME/.clawkit-state"
  echo "up: using the local file backend in ~/.clawkit-state (back it up: it is your only copy of the state)" >&2
fi
pulumi stack select --create --secrets-provider passphrase "$stack"
exec pulumi up --stack "$stack" "$@"
