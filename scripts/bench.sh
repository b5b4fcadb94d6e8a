#!/usr/bin/env bash
# npm run bench: prints the kit's measured figures (no timed assertions in tests).
# Installs what it needs first, as the test command does: the pinned runtime and the
# kit's packages; with --system (as root) also the Debian packages of the system layer.
# Exits non-zero when a figure it promises could not be measured.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-node-deps.sh
for arg in "$@"; do
  if [ "$arg" = --system ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "bench: --system boots a throwaway Debian root and needs root: sudo npm run bench -- --system" >&2
      exit 1
    fi
    bash scripts/install-system-deps.sh
  fi
done
export PATH="$PWD/vps/host/node:$PWD/node_modules/.bin:$PATH"
exec node -r ts-node/register/transpile-only scripts/bench.ts "$@"
