#!/usr/bin/env bash
# Installs what the kit needs to deploy (the pinned Pulumi CLI, Node.js 24 and npm, then
# the kit's packages) and runs `pulumi up` for a stack with the passphrase secrets
# provider: no Pulumi Cloud account. State is on a local file backend, or on the
# shared bucket --backend names (a team's; README: Team state).
# Usage: scripts/up.sh [--backend URL] [--passphrase-file FILE] [STACK] [pulumi up flags…]
#   (default stack: dev)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "up: $*" >&2
  exit 1
}

# The mode of a file (stat -c is GNU, as on Debian).
mode_of() { stat -c %a "$1"; }

backend=""
passphrase_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend)
      [ $# -ge 2 ] || fail "--backend needs a URL: --backend 's3://<bucket>?endpoint=<host>&region=auto&profile=<profile>'"
      backend=$2
      shift 2
      ;;
    --passphrase-file)
      [ $# -ge 2 ] || fail "--passphrase-file needs a file: --passphrase-file ~/.config/clawkit/passphrase"
      passphrase_file=$2
      shift 2
      ;;
    *) break ;;
  esac
done
stack=${1:-dev}
if [ $# -gt 0 ]; then shift; fi

if [ -n "$backend" ]; then
  case "$backend" in
    s3://* | file://* | gs://* | azblob://*) ;;
    *) fail "--backend $backend: only a bucket or directory you own (s3://, gs://, azblob://, file://); the kit assumes no hosted backend" ;;
  esac
  case "$backend" in
    s3://*r2.cloudflarestorage.com*)
      case "$backend" in
        *region=auto*) ;;
        *) fail "--backend: an R2 bucket needs region=auto: 's3://<bucket>?endpoint=<account id>.r2.cloudflarestorage.com&region=auto&profile=<profile>'" ;;
      esac
      ;;
  esac
  # The bucket's key in a shared credentials file that only its owner reads, never on a command line.
  case "$backend" in
    s3://*profile=*)
      credentials=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
      [ -f "$credentials" ] || fail "--backend names a profile, but $credentials does not exist (README: Team state)"
      case "$(mode_of "$credentials")" in
        600 | 400) ;;
        *) fail "$credentials may be read by others (mode $(mode_of "$credentials")): chmod 600 $credentials" ;;
      esac
      ;;
  esac
  export PULUMI_BACKEND_URL="$backend"
fi
if [ -n "$passphrase_file" ]; then
  [ -f "$passphrase_file" ] || fail "--passphrase-file $passphrase_file does not exist"
  [ -s "$passphrase_file" ] || fail "--passphrase-file $passphrase_file is empty"
  case "$(mode_of "$passphrase_file")" in
    600 | 400) ;;
    *) fail "$passphrase_file may be read by others (mode $(mode_of "$passphrase_file")): chmod 600 $passphrase_file" ;;
  esac
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi

for tool in curl python3 tar; do
  command -v "$tool" >/dev/null || {
    echo "up: $tool is needed to fetch the pinned Pulumi CLI and Node.js: sudo apt-get install -y curl python3 tar" >&2
    exit 1
  }
done

# The Pulumi CLI scripts/pulumi-cli.lock pins: the operator's own if it is that version,
# otherwise installed (checksum-verified) under .tools/ and put first on PATH.
pulumi_version=$(bash scripts/install-pulumi.sh --version)
if [ "$(pulumi version 2>/dev/null || true)" != "v$pulumi_version" ]; then
  pulumi_bin=$(bash scripts/install-pulumi.sh)
  export PATH="$pulumi_bin:$PATH"
  echo "up: using the pinned Pulumi CLI $pulumi_version from $pulumi_bin; for later pulumi commands (stack outputs, rotation, destroy) in this shell:" >&2
  echo "  export PATH=\"$pulumi_bin:\$PATH\"" >&2
fi

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

# A first run asks for every required setting the stack lacks (the kit's own parser
# says which), secrets without echo and into `pulumi config set --secret` on stdin.
# Without a terminal, or with --yes, it stops listing them instead.
interactive=yes
if [ ! -t 0 ] || ! { : </dev/tty; } 2>/dev/null; then interactive=no; fi
for arg in "$@"; do
  if [ "$arg" = --yes ] || [ "$arg" = -y ]; then interactive=no; fi
done
tab=$(printf '\t')
missing_settings() {
  pulumi config --json --stack "$stack" |
    node -r ts-node/register/transpile-only scripts/missing-config.ts "$stack"
}
# A secret's prompt turns echo off: whatever ends the run turns it back on.
if [ "$interactive" = yes ]; then trap 'stty echo </dev/tty 2>/dev/null || true' EXIT; fi
# The target decides what else is required: ask, then look again.
for _round in 1 2 3; do
  missing=$(missing_settings)
  [ -n "$missing" ] || break
  if [ "$interactive" = no ]; then
    echo "up: the stack lacks settings that pulumi up needs; set them, then run again:" >&2
    while IFS=$tab read -r key kind what; do
      if [ "$kind" = secret ]; then
        echo "  pulumi config set --secret $key    # $what" >&2
      else
        echo "  pulumi config set $key <value>    # $what" >&2
      fi
    done <<<"$missing"
    exit 1
  fi
  while IFS=$tab read -r key kind what; do
    if [ "$kind" = secret ]; then
      # Echo off before the prompt shows: what is typed the moment it appears is not shown either.
      stty -echo </dev/tty
      printf '%s (%s, not shown): ' "$key" "$what" >/dev/tty
      IFS= read -r value </dev/tty
      stty echo </dev/tty
      printf '\n' >/dev/tty
    else
      printf '%s (%s; a list as a,b): ' "$key" "$what" >/dev/tty
      IFS= read -r value </dev/tty
    fi
    if [ -z "$value" ]; then
      fail "nothing entered for $key: set it with pulumi config set$([ "$kind" = secret ] && echo " --secret") $key, then run again"
    fi
    if [ "$kind" = secret ]; then
      printf '%s' "$value" | pulumi config set --secret --stack "$stack" "$key"
    else
      pulumi config set --stack "$stack" "$key" "$value"
    fi
  done <<<"$missing"
done
exec pulumi up --stack "$stack" "$@"
