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

