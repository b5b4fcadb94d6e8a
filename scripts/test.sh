#!/usr/bin/env bash
# The test command: every layer (lint, unit, artifacts, system) in one mocha run,
# under the pinned Node 24 the server runs too (vps/host/node). Ends with one line:
# "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-node-deps.sh
export PATH="$PWD/vps/host/node:$PWD/node_modules/.bin:$PATH"
exec node node_modules/mocha/bin/mocha.js "$@"
