#!/usr/bin/env bash
# Installs the pinned runtime the server gets (Node.js, npm, openclaw) the way
# the server installs it, then the kit's own packages and the policy pack's
# (policy/) with that Node and npm; each only when its lockfiles changed since
# the last install. No package
# install script runs. --deploy: only Node.js, npm and the kit (what `pulumi up`
# needs; openclaw is for the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

# fresh MARKER: true when the lockfiles MARKER lists still have the recorded hashes.
fresh() { [ -f "$1" ] && sha256sum --quiet -c "$1" >/dev/null 2>&1; }

if [ "${1:-}" = --deploy ]; then
  sh vps/host/scripts/install-runtime.sh vps/host/node
else
  runtime_marker=vps/host/openclaw/node_modules/.clawkit-lock.sha256
  if ! fresh "$runtime_marker"; then
    echo "install-node-deps: pinned Node.js + openclaw runtime" >&2
    sh vps/host/scripts/install-runtime.sh vps/host/node vps/host/openclaw
    sha256sum vps/host/node/package-lock.json vps/host/openclaw/package-lock.json >"$runtime_marker"
  fi
fi

# The kit's own packages, with the same pinned Node and npm.
kit_marker=node_modules/.clawkit-lock.sha256
if ! fresh "$kit_marker"; then
  echo "install-node-deps: npm ci (kit)" >&2
  vps/host/node/node vps/host/node/node_modules/npm/bin/npm-cli.js ci --ignore-scripts --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json >"$kit_marker"
fi

# The policy pack's packages: `pulumi up --policy-pack policy` loads them from policy/.
policy_marker=policy/node_modules/.clawkit-lock.sha256
if ! fresh "$policy_marker"; then
  echo "install-node-deps: npm ci (policy pack)" >&2
  (cd policy && ../vps/host/node/node ../vps/host/node/node_modules/npm/bin/npm-cli.js ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  sha256sum policy/package-lock.json >"$policy_marker"
fi
