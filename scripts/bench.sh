#!/usr/bin/env bash
# npm run bench: prints the kit's measured figures (no timed assertions in tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/cloud-init/node:$PWD/node_modules/.bin:$PATH"
exec node -r ts-node/register/transpile-only scripts/bench.ts "$@"
