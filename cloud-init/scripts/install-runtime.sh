#!/bin/sh
# Installs the pinned runtime: first Node.js and npm from cloud-init/node's
# lockfile (with whatever npm is at hand: Debian's on a server), then openclaw
# from its lockfile with that Node and npm, so engine-gated optional packages
# (openclaw's native file-safety helper needs Node >= 22) resolve as they will run.
# npm ci checks every tarball against the lockfile's integrity hash; no package
# install script runs. openclaw then completes its own package lifecycle once,
# here, as the installing user, so the unprivileged agent never has to write
# into its code. The same script serves the server and the test machine.
# Usage: install-runtime.sh NODE_DIR [OPENCLAW_DIR]  (without OPENCLAW_DIR: Node.js and npm only)
set -eu
node_dir=$(cd "${1:?usage: install-runtime.sh NODE_DIR [OPENCLAW_DIR]}" && pwd)

case $(uname -m) in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-runtime: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

(cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
ln -sfn "node_modules/node-linux-$arch/bin/node" "$node_dir/node"
node="$node_dir/node"
npm_cli="$node_dir/node_modules/npm/bin/npm-cli.js"
"$node" --version >/dev/null
[ -n "${2:-}" ] || exit 0
openclaw_dir=$(cd "$2" && pwd)

(cd "$openclaw_dir" && "$node" "$npm_cli" ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
"$node" "$openclaw_dir/node_modules/openclaw/openclaw.mjs" --version >/dev/null
if [ -e "$openclaw_dir/node_modules/openclaw/.openclaw-lifecycle-pending" ]; then
  echo "install-runtime: openclaw's package lifecycle did not complete" >&2
  exit 1
fi
