#!/bin/sh
# Shared helpers for the clawkit host scripts. Sourced, never run.
# Every helper is idempotent: it changes a file only when the content differs,
# and records what it changed so callers restart only what must restart.

CLAWKIT_CHANGED="${CLAWKIT_CHANGED:-}"

log() { printf 'clawkit: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# mark_changed TAG: remember that something TAG depends on changed.
mark_changed() {
  case " $CLAWKIT_CHANGED " in
    *" $1 "*) ;;
    *) CLAWKIT_CHANGED="$CLAWKIT_CHANGED $1" ;;
  esac
}

# changed TAG: true when mark_changed TAG was called in this run.
changed() {
  case " $CLAWKIT_CHANGED " in
    *" $1 "*) return 0 ;;
    *) return 1 ;;
  esac
}

# install_file SRC DEST MODE OWNER:GROUP TAG [CHECK]
# Copies SRC to DEST atomically when the content, mode or owner differ. With CHECK
# (a command or function), the new file is first written beside DEST with its final
# mode and owner and handed to `CHECK FILE`; if that fails, the run stops naming
# DEST and the old file stays in place.
install_file() {
  src=$1 dest=$2 mode=$3 owner=$4 tag=$5 check=${6:-}
  if [ -f "$dest" ] && cmp -s "$src" "$dest" &&
    [ "$(stat -c '%a %U:%G' "$dest")" = "$mode $owner" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.clawkit.XXXXXX")
  cat "$src" >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  if [ -n "$check" ] && ! "$check" "$tmp"; then
    rm -f "$tmp"
    die "$dest: the new version fails its check ($check); the old one stays in place"
  fi
  mv -f "$tmp" "$dest"
  log "updated $dest"
  mark_changed "$tag"
}

# ensure_dir PATH MODE OWNER:GROUP
ensure_dir() {
  mkdir -p "$1"
  [ "$(stat -c '%a %U:%G' "$1")" = "$2 $3" ] && return 0
  chmod "$2" "$1"
  chown "$3" "$1"
  log "set $2 $3 on $1"
}

# The functions below need /etc/clawkit/clawkit.env sourced.

# locked_down: true while the host is locked down (clawkit-lockdown on).
locked_down() { [ -e "$CLAWKIT_LOCKDOWN_FILE" ]; }

# install_lockdown_includes FILES: squid's and the credential gateway's includes for
# the host's state, from the bundle's FILES directory (marks proxy and credgw).
install_lockdown_includes() {
  state=off
  if locked_down; then state=on; fi
  install_file "$1/proxy-lockdown-$state.conf" "$CLAWKIT_PROXY_LOCKDOWN" 644 root:root proxy
  install_file "$1/credential-gateway-lockdown-$state.conf" "$CLAWKIT_CREDGW_LOCKDOWN" 644 root:root credgw
}

# serve_gateway: the tailnet reaches the gateway through `tailscale serve` (HTTPS,
# tailnet only). Funnel is switched off explicitly: the gateway is never on the internet.
serve_gateway() {
  command -v tailscale >/dev/null || return 0
  tailscale funnel --https=443 off >/dev/null 2>&1 || true
  want="http://127.0.0.1:$CLAWKIT_GATEWAY_PORT"
  if ! tailscale serve status --json 2>/dev/null | grep -qF "\"Proxy\": \"$want\""; then
    tailscale serve --bg --https=443 "$want" >/dev/null
    log "tailscale serve: https :443 -> $want"
  fi
}

# unserve_gateway: the tailnet no longer reaches the gateway's port at all.
unserve_gateway() {
  command -v tailscale >/dev/null || return 0
  tailscale funnel --https=443 off >/dev/null 2>&1 || true
  if tailscale serve status --json 2>/dev/null | grep -qF '"Proxy"'; then
    tailscale serve --https=443 off >/dev/null
    log "tailscale serve: https :443 removed"
  fi
}
