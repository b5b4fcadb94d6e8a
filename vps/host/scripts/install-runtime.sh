#!/bin/sh
# Installs the pinned runtime. Node.js and npm: their tarballs fetched from the
# npm registry and checked against the sha512 integrity vps/host/node's
# lockfile records (no system Node.js or npm needed). Then openclaw, with that
# Node and npm, by `npm ci` from its own lockfile, so engine-gated optional
# packages (openclaw's native file-safety helper needs Node >= 22) resolve as
# they will run. npm ci checks every tarball's integrity; no package install
# script runs. openclaw then completes its own package lifecycle once, here, as
# the installing user, so the unprivileged agent never has to write into its
# code. The same script serves the server and the test machine.
# Usage: install-runtime.sh NODE_DIR [OPENCLAW_DIR]  (without OPENCLAW_DIR: Node.js and npm only)
set -eu
node_dir=$(cd "${1:?usage: install-runtime.sh NODE_DIR [OPENCLAW_DIR]}" && pwd)
registry=${CLAWKIT_NPM_REGISTRY:-https://registry.npmjs.org}

case $(uname -m) in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-runtime: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac

# fetch_pinned NAME: the tarball of NAME at the version the lockfile pins,
# verified against its integrity, unpacked into NODE_DIR/node_modules/NAME.
fetch_pinned() {
  name=$1
  pin=$(python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))["packages"]["node_modules/" + sys.argv[2]]
print(p["version"], p["integrity"])' "$node_dir/package-lock.json" "$name")
  version=${pin% *}
  integrity=${pin#* }
  target="$node_dir/node_modules/$name"
  if [ -f "$target/.clawkit-integrity" ] && [ "$(cat "$target/.clawkit-integrity")" = "$integrity" ]; then
    return 0
  fi
  tarball=$(mktemp)
  curl -fsSL --proto '=https' --tlsv1.2 --retry 3 -o "$tarball" "$registry/$name/-/$name-$version.tgz"
  actual=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tarball")
  if [ "$actual" != "$integrity" ]; then
    rm -f "$tarball"
    echo "install-runtime: $name $version does not match the lockfile's integrity; refusing it" >&2
    exit 1
  fi
  rm -rf "$target"
  mkdir -p "$target"
  tar -xzf "$tarball" -C "$target" --strip-components=1 --no-same-owner
  rm -f "$tarball"
  printf '%s\n' "$integrity" >"$target/.clawkit-integrity"
}

fetch_pinned "node-linux-$arch"
fetch_pinned npm
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
