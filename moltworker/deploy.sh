#!/bin/sh
# Runs wrangler for the moltworker shape, on the operator's machine, in the
# moltworker checkout (the command's working directory). Pulumi's command
# resources call it; every secret arrives on stdin, never in an argument or in
# the command's environment (which Pulumi keeps in its state):
#
#   deploy   stdin: API token.                 Checks the pinned commit, writes the
#            rendered wrangler config, runs `wrangler deploy` with it.
#   secrets  stdin: API token, Access service token id, its secret, then the
#            secrets JSON.                     Refuses a worker that carries a dev or
#            debug switch, sets the secrets with `wrangler secret bulk` (JSON on
#            stdin), then restarts the gateway through Access so they take effect.
#   delete   stdin: API token (optional).      Deletes the worker.
#   bucket-on-destroy                           Runs on `pulumi destroy` after the
#            worker is gone and before the bucket: stops the destroy
#            (CLAWKIT_BUCKET_ON_DESTROY=refuse), lets it go on (keep), or exports
#            and empties the bucket (export; stdin: its S3 credentials as JSON).
#
# Environment (no secrets): CLAWKIT_WORKER_NAME, CLAWKIT_WORKER_URL,
# CLAWKIT_FORBIDDEN_SECRETS (the dev and debug switches, from wrangler-config.ts),
# CLAWKIT_MOLTWORKER_COMMIT (empty: unpinned), CLAWKIT_WRANGLER_CONFIG (the rendered
# config), CLOUDFLARE_ACCOUNT_ID. wrangler comes from the checkout's node_modules,
# else from PATH.
set -eu

mode=${1:?usage: deploy.sh deploy|secrets|delete}
: "${CLAWKIT_WORKER_NAME:?}"
config_file=wrangler.clawkit.json
PATH="$PWD/node_modules/.bin:$PATH"
export PATH

# shellcheck source-path=SCRIPTDIR source=access-admin.sh
. "$(dirname "$0")/access-admin.sh"

log() { printf 'clawkit-worker: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# The API token reaches wrangler, and only wrangler, in its own environment:
# wrangler takes it no other way. Without one on stdin, the operator's own
# CLOUDFLARE_API_TOKEN (or wrangler's login) is used. Nothing else inherits it.
cf_token=${CLOUDFLARE_API_TOKEN:-}
unset CLOUDFLARE_API_TOKEN
read_token() {
  IFS= read -r line || true
  [ -z "$line" ] || cf_token=$line
  unset line
}
wrangler_bin=$(command -v wrangler || true)
wrangler() {
  [ -n "$wrangler_bin" ] ||
    die "wrangler not found: install moltworker's dependencies (npm ci in $PWD)"
  if [ -n "$cf_token" ]; then
    CLOUDFLARE_API_TOKEN=$cf_token "$wrangler_bin" "$@"
  else
    "$wrangler_bin" "$@"
  fi
}

case "$mode" in
deploy)
  read_token
  if [ -n "${CLAWKIT_MOLTWORKER_COMMIT:-}" ]; then
    head=$(git rev-parse HEAD 2>/dev/null) || die "$PWD is not a git checkout; clawkit:moltworkerCommit pins one"
    [ "$head" = "$CLAWKIT_MOLTWORKER_COMMIT" ] ||
      die "the checkout is at $head, not the pinned $CLAWKIT_MOLTWORKER_COMMIT (clawkit:moltworkerCommit)"
    git diff --quiet HEAD -- ||
      die "the checkout has local changes to tracked files; the pinned commit would not be what deploys"
  fi
  : "${CLAWKIT_WRANGLER_CONFIG:?}"
  printf '%s' "$CLAWKIT_WRANGLER_CONFIG" >"$config_file"
  log "deploying $CLAWKIT_WORKER_NAME with $config_file (builds the container image: needs Docker)"
  wrangler deploy --config "$config_file" >&2
  ;;

secrets)
  read_token
  : "${CLAWKIT_WORKER_URL:?}"
  IFS= read -r access_client_id || die "no Access service token id on stdin"
  IFS= read -r access_client_secret || die "no Access service token secret on stdin"
  secrets=$(cat)
  [ -n "$secrets" ] || die "no secrets on stdin"

  # A dev or debug switch set by hand would switch Access off or open /debug/cli.
  existing=$(wrangler secret list --name "$CLAWKIT_WORKER_NAME" --format json 2>/dev/null ||
    wrangler secret list --name "$CLAWKIT_WORKER_NAME") ||
    die "cannot list the worker's secrets (is the API token allowed to read Workers Scripts?)"
  for switch in ${CLAWKIT_FORBIDDEN_SECRETS:?}; do
    case "$existing" in
    *"\"$switch\""*)
      die "the worker carries $switch, which switches off Access or opens debug routes; remove it: wrangler secret delete $switch --name $CLAWKIT_WORKER_NAME"
      ;;
    esac
  done

  log "setting the worker's secrets"
  printf '%s' "$secrets" | wrangler secret bulk --name "$CLAWKIT_WORKER_NAME" >&2
  unset secrets

  # The running gateway keeps the secrets it started with: restart it through
  # Access with the service token. The headers go to curl on stdin, not argv.
  log "restarting the gateway so the new secrets take effect"
  restart_gateway "${CLAWKIT_RESTART_TRIES:-12}" "${CLAWKIT_RESTART_WAIT:-10}" \
    "the secrets are set, but the running gateway still holds the old ones: restart it from $CLAWKIT_WORKER_URL/_admin/ (Restart gateway), then run pulumi up again"
  log "gateway restarted"
  ;;

bucket-on-destroy)
  : "${CLAWKIT_BUCKET:?}"
  case "${CLAWKIT_BUCKET_ON_DESTROY:-refuse}" in
  keep)
    log "the R2 bucket $CLAWKIT_BUCKET stays in your account, out of this stack"
    ;;
  export)
    # stdin: the bucket's S3 credentials as JSON, for the exporter only. From a
    # source checkout the exporter is TypeScript, run with ts-node preloaded
    # (CLAWKIT_NODE_REQUIRE); from the built package it is plain JavaScript.
    : "${CLAWKIT_NODE:?}" "${CLAWKIT_EXPORTER:?}"
    if [ -n "${CLAWKIT_NODE_REQUIRE:-}" ]; then
      exec "$CLAWKIT_NODE" -r "$CLAWKIT_NODE_REQUIRE" "$CLAWKIT_EXPORTER"
    fi
    exec "$CLAWKIT_NODE" "$CLAWKIT_EXPORTER"
    ;;
  *)
    die "pulumi destroy stopped: the R2 bucket $CLAWKIT_BUCKET and its token are untouched (the worker and its Access application are gone; pulumi up brings them back). The bucket holds the agent's memory and workspace. Choose: pulumi config set clawkit:bucketOnDestroy export (download it to a local directory, then empty and delete it) or keep (leave it in your account), then pulumi up && pulumi destroy."
    ;;
  esac
  ;;

delete)
  log "deleting worker $CLAWKIT_WORKER_NAME"
  wrangler delete --name "$CLAWKIT_WORKER_NAME" >&2
  rm -f "$config_file"
  ;;

*)
  die "unknown mode $mode"
  ;;
esac
