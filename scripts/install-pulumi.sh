#!/usr/bin/env bash
# Installs the Pulumi CLI that scripts/pulumi-cli.lock pins into
# <repo>/.tools/pulumi-v<version>/ and prints that directory (the one to put on PATH) on
# stdout; every message goes to stderr. The release tarball must match the pinned
# sha256 before anything is extracted, and the CLI must say it is the pinned version
# before one rename puts it in place: a failure at any step leaves nothing installed.
# Usage: scripts/install-pulumi.sh            install (once) and print the directory
#        scripts/install-pulumi.sh --version  print the pinned version
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
lock="$scripts/pulumi-cli.lock"
tools="$(dirname "$scripts")/.tools"

fail() {
  echo "install-pulumi: $*" >&2
  exit 1
}

# The lock: "# url: <base>" and "<sha256>  pulumi-v<version>-linux-<arch>.tar.gz" lines.
[ -f "$lock" ] || fail "$lock is missing: it pins the Pulumi CLI to install"
url_line='^# url: ([^ ]+)$'
pin_line='^([0-9a-f]{64})  (pulumi-v([0-9]+\.[0-9]+\.[0-9]+)-linux-[a-z0-9]+\.tar\.gz)$'
base_url=""
version=""
declare -A pinned_sha256
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ $url_line ]]; then
    base_url=${BASH_REMATCH[1]}
  elif [[ $line =~ $pin_line ]]; then
    pinned_sha256[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
    if [ -n "$version" ] && [ "$version" != "${BASH_REMATCH[3]}" ]; then
      fail "$lock pins both $version and ${BASH_REMATCH[3]}: one version for every architecture"
    fi
    version=${BASH_REMATCH[3]}
  elif [ -n "$line" ] && [ "${line:0:1}" != "#" ]; then
    fail "$lock: a line that is neither a comment nor '<sha256>  pulumi-v<version>-linux-<arch>.tar.gz': $line"
  fi
done <"$lock"
[ -n "$version" ] || fail "$lock pins no release tarball"
[ -n "$base_url" ] || fail "$lock has no '# url: <where the release tarballs are>' line"

if [ "${1:-}" = --version ]; then
  echo "$version"
  exit 0
fi

system=$(uname -s)
machine=$(uname -m)
[ "$system" = Linux ] || fail "the lock pins Linux builds of the Pulumi CLI, and this is $system: install Pulumi $version yourself and put it on PATH"
case "$machine" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no Pulumi CLI build is pinned for this machine's architecture, $machine ($lock pins ${!pinned_sha256[*]}): install Pulumi $version yourself and put it on PATH" ;;
esac
tarball="pulumi-v$version-linux-$arch.tar.gz"
expected=${pinned_sha256[$tarball]:-}
[ -n "$expected" ] || fail "$lock pins no $tarball"

installed="$tools/pulumi-v$version"
if [ -x "$installed/pulumi" ] && [ "$("$installed/pulumi" version 2>/dev/null || true)" = "v$version" ]; then
  echo "$installed"
  exit 0
fi

# https only: what arrives is checked against the pin anyway, but nobody on the path
# should get to try. Plain http is for a file server on this machine (the tests').
url="$base_url$tarball"
loopback='^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]+)?/'
if [[ $url =~ ^https:// ]]; then
  protocol='=https'
elif [[ $url =~ $loopback ]]; then
  protocol='=http'
else
  fail "$url: the Pulumi CLI is fetched over https only (plain http only from this machine's loopback); fix the '# url:' line of $lock"
fi
for tool in curl sha256sum tar; do
  command -v "$tool" >/dev/null || fail "$tool is needed to install the Pulumi CLI: sudo apt-get install -y curl coreutils tar"
done

# The download and the unpacked tree live next to the destination (one filesystem, so
# the final mv is a rename) and go away on every exit.
mkdir -p "$tools"
work=$(mktemp -d "$tools/.pulumi-v$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

echo "install-pulumi: downloading $url" >&2
if ! curl --fail --silent --show-error --location --proto "$protocol" --proto-redir =https \
  --output "$work/$tarball" "$url"; then
  fail "downloading $url failed; nothing was installed"
fi
actual=$(sha256sum "$work/$tarball" | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
  fail "$tarball has sha256 $actual, but $lock pins $expected: refusing it (a corrupt or tampered download, or a wrong pin); nothing was installed"
fi
mkdir "$work/unpacked"
tar -xzf "$work/$tarball" -C "$work/unpacked" --no-same-owner ||
  fail "$tarball matches the pin but does not unpack; nothing was installed"
said=$("$work/unpacked/pulumi/pulumi" version 2>/dev/null || true)
if [ "$said" != "v$version" ]; then
  fail "the pulumi in $tarball says '$said', not v$version; nothing was installed"
fi
# An install that no longer answers with its version is replaced, never merged into.
if [ -e "$installed" ]; then
  mv -T "$installed" "$work/replaced"
fi
mv -T "$work/unpacked/pulumi" "$installed"
echo "install-pulumi: Pulumi CLI $version installed in $installed" >&2
echo "$installed"
