#!/usr/bin/env bash
# The system layer's throwaway Debian root: an overlayfs over this machine's `/`
# (upper layer on a tmpfs) in a private mount namespace, booted with systemd-nspawn
# in a network namespace this script made, with peers in other network namespaces:
#
#   [upstream ns] eth0 198.51.100.10,.20 --- upstream 198.51.100.1 [internet ns]
#   [internet ns] host 203.0.113.1       --- eth0 203.0.113.10       [host ns = container]
#   [tailnet ns]  host 100.100.0.2       --- tailscale0 100.100.0.10 [host ns = container]
#   and the same in IPv6 (2001:db8:100::/64, 2001:db8:1::/64, fd7a:115c:a1e0::/64)
#
# Addresses live in topology.env. Nothing here ever touches this machine's own
# firewall, users, sysctls or network: every `ip` call names a namespace (-n), every
# change to files happens inside the overlay, and the overlay only exists in the
# private mount namespace, which dies with systemd-nspawn.
#
# Usage (as root):
#   sysroot.sh up ID [--user-data FILE] [--meta-data FILE] [--stage DIR]
#                    [--disable UNIT]... [--mask UNIT]... [--enable UNIT]... [--keep-policy-rc.d]
#                    [--bind-ro SRC:DST]...
#       make the namespaces, prepare the overlay, boot it in the background; prints
#       the container's PID 1 (as seen from here) once it exists. Console: STATE/console.log
#       --stage DIR: copied over the root before boot (DIR/etc/x lands in /etc/x)
#       --disable/--mask: units of this machine's image a fresh server would not run
#       --keep-policy-rc.d: keep this image's /usr/sbin/policy-rc.d (removed by default)
#   sysroot.sh exec ID [--user USER] [--] CMD...   run CMD inside the booted root
#   sysroot.sh peer ID internet|tailnet|upstream [--] CMD...   run CMD in a peer netns
#   sysroot.sh leader ID       print the container's PID 1 (exit 1 if not running)
#   sysroot.sh down ID         shut down, kill leftovers, remove namespaces and state
#   sysroot.sh net-up ID | net-down ID   only the network namespaces
#   sysroot.sh list            ids with state or namespaces on this machine
# ID: 1-8 characters [a-z0-9]. STATE is /run/clawkit-system/ID (override the
# parent with CLAWKIT_SYSROOT_STATE).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/topology.env
. "$here/topology.env"

state_parent="${CLAWKIT_SYSROOT_STATE:-/run/clawkit-system}"
tmpfs_size="${CLAWKIT_SYSROOT_TMPFS_SIZE:-8G}"
start_timeout="${CLAWKIT_SYSROOT_START_TIMEOUT:-30}"
stop_timeout="${CLAWKIT_SYSROOT_STOP_TIMEOUT:-30}"
inner_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() {
  echo "sysroot: $*" >&2
  exit 1
}

check_id() {
  [[ "${1:-}" =~ ^[a-z0-9]{1,8}$ ]] || die "bad id '${1:-}' (1-8 characters a-z 0-9)"
}

# Network namespace names for an id (kept short: they show up in `ip netns list`).
ns_host() { echo "clawkit-$1-host"; }
ns_peer() {
  case "$2" in
    internet) echo "clawkit-$1-inet" ;;
    tailnet) echo "clawkit-$1-tail" ;;
    upstream) echo "clawkit-$1-up" ;;
    *) die "unknown peer '$2' (internet, tailnet, upstream)" ;;
  esac
}
all_ns() { echo "$(ns_host "$1") $(ns_peer "$1" internet) $(ns_peer "$1" tailnet) $(ns_peer "$1" upstream)"; }

ns_exists() { [ -e "/run/netns/$1" ]; }

net_up() {
  local id=$1 host inet tail up n
  host=$(ns_host "$id")
  inet=$(ns_peer "$id" internet)
  tail=$(ns_peer "$id" tailnet)
  up=$(ns_peer "$id" upstream)
  for n in $host $inet $tail $up; do
    ns_exists "$n" && die "network namespace $n exists already (sysroot.sh down $id)"
  done
  for n in $host $inet $tail $up; do
    ip netns add "$n"
    ip -n "$n" link set lo up
  done
  # Links are created inside the namespaces (ip -n), never in this machine's own.
  ip -n "$host" link add "$PUBLIC_IF" type veth peer name host netns "$inet"
  ip -n "$host" link add "$TAILNET_IF" type veth peer name host netns "$tail"
  ip -n "$inet" link add upstream type veth peer name eth0 netns "$up"

  ip -n "$host" addr add "$PUBLIC_HOST_ADDR/$PUBLIC_PREFIX" dev "$PUBLIC_IF"
  ip -n "$host" addr add "$TAILNET_HOST_ADDR/$TAILNET_PREFIX" dev "$TAILNET_IF"
  ip -n "$inet" addr add "$PUBLIC_PEER_ADDR/$PUBLIC_PREFIX" dev host
  ip -n "$inet" addr add "$UPSTREAM_GATEWAY_ADDR/$UPSTREAM_PREFIX" dev upstream
  ip -n "$tail" addr add "$TAILNET_PEER_ADDR/$TAILNET_PREFIX" dev host
  ip -n "$up" addr add "$UPSTREAM_ALLOWED_ADDR/$UPSTREAM_PREFIX" dev eth0
  ip -n "$up" addr add "$UPSTREAM_FORBIDDEN_ADDR/$UPSTREAM_PREFIX" dev eth0
  # IPv6 on every side, as on a Hetzner server. nodad: usable at once, no 1-2 s of
  # duplicate address detection on links that only ever have these two ends.
  ip -n "$host" addr add "$PUBLIC_HOST_ADDR6/$PUBLIC_PREFIX6" dev "$PUBLIC_IF" nodad
  ip -n "$host" addr add "$TAILNET_HOST_ADDR6/$TAILNET_PREFIX6" dev "$TAILNET_IF" nodad
  ip -n "$inet" addr add "$PUBLIC_PEER_ADDR6/$PUBLIC_PREFIX6" dev host nodad
  ip -n "$inet" addr add "$UPSTREAM_GATEWAY_ADDR6/$UPSTREAM_PREFIX6" dev upstream nodad
  ip -n "$tail" addr add "$TAILNET_PEER_ADDR6/$TAILNET_PREFIX6" dev host nodad
  ip -n "$up" addr add "$UPSTREAM_ALLOWED_ADDR6/$UPSTREAM_PREFIX6" dev eth0 nodad
  ip -n "$up" addr add "$UPSTREAM_FORBIDDEN_ADDR6/$UPSTREAM_PREFIX6" dev eth0 nodad

  ip -n "$host" link set "$PUBLIC_IF" up
  ip -n "$host" link set "$TAILNET_IF" up
  ip -n "$inet" link set host up
  ip -n "$inet" link set upstream up
  ip -n "$tail" link set host up
  ip -n "$up" link set eth0 up

  ip -n "$host" route add default via "$PUBLIC_PEER_ADDR" dev "$PUBLIC_IF"
  ip -n "$up" route add default via "$UPSTREAM_GATEWAY_ADDR" dev eth0
  ip -n "$host" -6 route add default via "$PUBLIC_PEER_ADDR6" dev "$PUBLIC_IF"
  ip -n "$up" -6 route add default via "$UPSTREAM_GATEWAY_ADDR6" dev eth0
  # The internet peer routes between the host and upstream. This sysctl is the
  # internet namespace's own (net.* is per network namespace), set through
  # `ip netns exec`, which fails rather than fall back to this machine's namespace.
  ip netns exec "$inet" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
}

net_down() {
  local id=$1 n p
  for n in $(all_ns "$id"); do
    if ns_exists "$n"; then
      # Servers a test left running in a peer namespace.
      for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
      ip netns del "$n" || echo "sysroot: could not delete netns $n" >&2
    fi
  done
}

# The container's PID 1 (in our PID namespace): the child of systemd-nspawn whose
# PID inside its own namespace is 1. nspawn is the child of the boot loop (see boot).
leader() {
  local id=$1 loop pid
  loop=$(cat "$state_parent/$id/nspawn.pid" 2>/dev/null) || return 1
  [ -d "/proc/$loop" ] || return 1
  # shellcheck disable=SC2013,SC2046 # one line of space-separated pids a file
  for pid in $(cat $(printf '/proc/%s/task/*/children ' $(cat /proc/"$loop"/task/*/children 2>/dev/null)) 2>/dev/null); do
    if awk '$1 == "NSpid:" && $NF == 1 && NF == 3 { found = 1 } END { exit !found }' \
      "/proc/$pid/status" 2>/dev/null; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# Runs in the private mount namespace (see `up`): builds the overlay, then runs
# systemd-nspawn, again when the root reboots. When this exits, the namespace and
# its mounts go with it; a reboot keeps them, as a server keeps its disk.
boot() {
  local id=$1 st
  st="$state_parent/$id"
  [ -n "${CLAWKIT_SYSROOT_PRIVATE:-}" ] || die "boot must run under unshare (use up)"
  [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
    die "not in a private mount namespace; refusing to mount"
  mount -t tmpfs -o "mode=0755,size=$tmpfs_size" "clawkit-$id-rw" "$st/rw"
  mkdir "$st/rw/upper" "$st/rw/work"
  mount -t overlay "clawkit-$id" \
    -o "lowerdir=/,upperdir=$st/rw/upper,workdir=$st/rw/work" "$st/root"
  local r="$st/root"
  [ "$(findmnt -n -o FSTYPE --mountpoint "$r")" = overlay ] || die "$r is not the overlay"

  # A machine of its own: fresh machine-id (systemd-machine-id-setup would copy
  # D-Bus's id, which is this machine's, so that goes too), an empty /root (this
  # machine's has tool configs), no cloud-init history, the harness's seed.
  rm -f "$r/etc/machine-id" "$r/var/lib/dbus/machine-id"
  systemd-machine-id-setup --root="$r" >/dev/null 2>&1
  [ "$(cat "$r/etc/machine-id")" != "$(cat /etc/machine-id 2>/dev/null)" ] || die "machine-id not fresh"
  rm -rf "$r/root"
  mkdir -m 0700 "$r/root"
  cp -a /etc/skel/. "$r/root/"
  chmod 0700 "$r/root"
  rm -rf "$r/var/lib/cloud" "$r/var/log/cloud-init.log" "$r/var/log/cloud-init-output.log"
  rm -f "$r/etc/cloud/cloud-init.disabled"
  mkdir -p "$r/var/lib/cloud/seed/nocloud"
  cp "$st/seed/user-data" "$st/seed/meta-data" "$r/var/lib/cloud/seed/nocloud/"
  chmod 0600 "$r/var/lib/cloud/seed/nocloud/user-data"
  # NoCloud only (ds-identify reads datasource_list too); the harness owns the
  # network: cloud-init must not render a config (this image has no renderer, and
  # the addresses are set from outside before boot). This machine only has the
  # C.UTF-8 locale, and cloud-init's default (en_US.UTF-8) fails cloud-config.
  # User-data can still override all of these.
  cat >"$r/etc/cloud/cloud.cfg.d/99-clawkit-system-test.cfg" <<'EOF2'
# Written by test/system/sysroot.sh into the throwaway root only.
datasource_list: [ NoCloud, None ]
network: {config: disabled}
locale: C.UTF-8
EOF2
  # This machine's image carries Docker's "never start services" policy-rc.d; a
  # server does not, so packages installed inside start their services as on one.
  if [ "$(cat "$st/keep-policy-rc.d" 2>/dev/null)" != yes ]; then
    rm -f "$r/usr/sbin/policy-rc.d"
  fi
  rm -f "$r/etc/resolv.conf"
  printf 'nameserver %s\nnameserver %s\n' "$DNS_ADDR" "$DNS_ADDR6" >"$r/etc/resolv.conf"
  SYSTEMD_OFFLINE=1 systemctl --root="$r" --quiet enable \
    cloud-init-local.service cloud-init.service cloud-config.service cloud-final.service
  local unit
  while read -r unit; do
    # Not every test machine's image has every unit (postgresql...): skip absent ones.
    [ -z "$unit" ] || [ -z "$(SYSTEMD_OFFLINE=1 systemctl --root="$r" list-unit-files --no-legend "$unit")" ] ||
      SYSTEMD_OFFLINE=1 systemctl --root="$r" --quiet disable "$unit"
  done <"$st/disable"
  while read -r unit; do
    [ -z "$unit" ] || SYSTEMD_OFFLINE=1 systemctl --root="$r" --quiet mask "$unit"
  done <"$st/mask"
  if [ -d "$st/stage" ]; then
    # Existing directories keep their owner and mode (/root stays 0700).
    tar -C "$st/stage" -c . | tar -C "$r" -x --no-overwrite-dir
  fi
  # Units the test staged and wants started at boot.
  while read -r unit; do
    [ -z "$unit" ] || SYSTEMD_OFFLINE=1 systemctl --root="$r" --quiet enable "$unit"
  done <"$st/enable"
  # Read-only views of this machine's directories (the test's checkout): /tmp and
  # other mounts of this machine do not show through the overlay.
  local binds=()
  while read -r bind; do
    [ -z "$bind" ] || binds+=("--bind-ro=$bind")
  done <"$st/binds"

  # A cgroup of its own: nspawn --keep-unit puts the root in <its own cgroup>/payload,
  # and on a machine without systemd (all in the cgroup2 root, like the test VM) every
  # root would share /payload: one root's systemd would kill, stop and firewall the
  # other's units of the same name. Only when this process is in the cgroup2 root.
  # First removes what roots that are gone left (nothing below runs, a minute old).
  local cg2 cg1 old
  cg2=$(findmnt -n -f -t cgroup2 -o TARGET)
  cg1=$(findmnt -n -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)name=systemd(,|$)/ { print $1 }')
  if [ -n "$cg2" ] && [ "$(sed -n 's/^0:://p' /proc/self/cgroup)" = / ]; then
    for old in "$cg2"/clawkit-*; do
      if [ -d "$old" ] && grep -qx 'populated 0' "$old/cgroup.events" &&
        [ -n "$(find "$old" -maxdepth 0 -mmin +1)" ]; then
        find "$old" ${cg1:+"$cg1/${old##*/}"} -depth -type d -exec rmdir {} + 2>/dev/null || true
      fi
    done
    mkdir -p "$cg2/clawkit-$id"
    echo $$ >"$cg2/clawkit-$id/cgroup.procs"
  fi

  # systemd enforces IPAddressDeny=/IPAddressAllow= (the gateway's second wall) with
  # cgroup BPF programs. nspawn's seccomp filter refuses bpf() (EPERM), and systemd in
  # a container then skips them, noting it at debug level only. So nspawn lets bpf()
  # through, under a filter of ours installed first (inherited by nspawn and all of
  # the root) that allows only the commands systemd's firewall uses: map create,
  # lookup, update, delete, next key; program load; attach and detach to a cgroup fd;
  # info by fd. Refused: tracing attach (RAW_TRACEPOINT_OPEN, LINK_CREATE), TEST_RUN,
  # *_GET_FD_BY_ID (this machine's or other roots' programs and maps), pinning... A
  # program can only run off the root's own cgroups, sockets or network namespace.
  # Another architecture: bpf() stays refused, IPAddressDeny= unenforced.
  local bpf_filter=() bpf_allow=()
  case "$(uname -m)" in
    x86_64 | aarch64)
      bpf_allow=(--system-call-filter=bpf)
      # Classic BPF over seccomp_data (nr @0, arch @4, args[0] @16); set with
      # prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) as root, so no no_new_privs (sudo).
      bpf_filter=(python3 -c '
import ctypes, os, platform, struct, sys
arch, nr, nr32 = {"x86_64": (0xC000003E, 321, 357), "aarch64": (0xC00000B7, 280, 386)}[platform.machine()]
cmds = (0, 1, 2, 3, 4, 5, 8, 9, 15)
n, ALLOW, EPERM = len(cmds), 0x7FFF0000, 0x50001
ld, ret, jeq = lambda k: (0x20, 0, 0, k), lambda k: (0x06, 0, 0, k), lambda k, t, f=0: (0x15, t, f, k)
prog = [ld(4), jeq(arch, 0, n + 7),  # another ABI (i386, arm32): to its own bpf() check
        ld(0), jeq(nr, 2), jeq(nr | 0x40000000, n + 2), ret(ALLOW),  # x32 bpf(): refused
        ld(16)] + [jeq(c, n - i) for i, c in enumerate(cmds)] + [ret(EPERM), ret(ALLOW),
        ld(0), jeq(nr32, 0, 1), ret(EPERM), ret(ALLOW)]
code = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *i) for i in prog))
fprog = ctypes.create_string_buffer(struct.pack("@HP", len(prog), ctypes.addressof(code)))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(22, ctypes.c_ulong(2), fprog, ctypes.c_ulong(0), ctypes.c_ulong(0)):
    sys.exit("sysroot: cannot install the bpf() filter: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])
')
      ;;
  esac

  # With --network-namespace-path (unlike --private-network) nspawn neither keeps
  # CAP_NET_ADMIN nor makes /proc/sys/net writable; the firewall needs both. Both
  # only reach the container's own network namespace.
  # nspawn exits with 133 when the root asked to reboot (systemd-nspawn(1)): boot it
  # again. `down`'s SIGTERM goes on to nspawn, which powers the root off in order.
  local status child="" stopping=no
  trap 'stopping=yes; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' TERM
  while :; do
    SYSTEMD_NSPAWN_API_VFS_WRITABLE=network "${bpf_filter[@]}" systemd-nspawn --quiet \
      --capability=CAP_NET_ADMIN --boot --register=no --keep-unit --link-journal=no \
      --console=read-only --resolv-conf=off --directory="$r" --machine="clawkit-$id" \
      --network-namespace-path="/run/netns/$(ns_host "$id")" "${bpf_allow[@]}" "${binds[@]}" &
    child=$!
    # A trapped signal interrupts wait: wait again until nspawn itself has exited.
    while :; do
      status=0
      wait "$child" || status=$?
      kill -0 "$child" 2>/dev/null || break
    done
    if [ "$stopping" = yes ] || [ "$status" -ne 133 ]; then exit "$status"; fi
    echo "sysroot: the root rebooted; booting it again"
  done
}

up() {
  local id=$1
  shift
  local user_data="" meta_data="" stage="" masks=() disables=() enables=() binds=() keep_policy=no
  while [ $# -gt 0 ]; do
    case "$1" in
      --user-data) user_data=$2; shift 2 ;;
      --meta-data) meta_data=$2; shift 2 ;;
      --stage) stage=$2; shift 2 ;;
      --mask) masks+=("$2"); shift 2 ;;
      --disable) disables+=("$2"); shift 2 ;;
      --enable) enables+=("$2"); shift 2 ;;
      --bind-ro) binds+=("$2"); shift 2 ;;
      --keep-policy-rc.d) keep_policy=yes; shift ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  local st="$state_parent/$id"
  [ "$(id -u)" -eq 0 ] || die "run as root"
  # Refuse before arming the teardown below: it must never hit a running instance.
  [ -e "$st" ] && die "state $st exists already (sysroot.sh down $id)"
  local n
  for n in $(all_ns "$id"); do
    ns_exists "$n" && die "network namespace $n exists already (sysroot.sh down $id)"
  done

  # From here on, any failure (or an interrupt) tears down what was made.
  up_done=no
  trap 'if [ "$up_done" != yes ]; then down "$id" >/dev/null 2>&1 || true; fi' EXIT
  mkdir -p "$st/rw" "$st/root" "$st/seed"
  if [ -n "$user_data" ]; then
    cp "$user_data" "$st/seed/user-data"
  else
    printf '#cloud-config\n{}\n' >"$st/seed/user-data"
  fi
  if [ -n "$meta_data" ]; then
    cp "$meta_data" "$st/seed/meta-data"
  else
    printf 'instance-id: clawkit-%s\nlocal-hostname: clawkit-%s\n' "$id" "$id" >"$st/seed/meta-data"
  fi
  if [ -n "$stage" ]; then cp -a "$stage" "$st/stage"; fi
  printf '%s\n' "${masks[@]}" >"$st/mask"
  printf '%s\n' "${disables[@]}" >"$st/disable"
  printf '%s\n' "${enables[@]}" >"$st/enable"
  printf '%s\n' "${binds[@]}" >"$st/binds"
  echo "$keep_policy" >"$st/keep-policy-rc.d"

  net_up "$id"

  CLAWKIT_SYSROOT_PRIVATE=1 setsid unshare --mount --propagation private -- \
    "$here/sysroot.sh" _boot "$id" </dev/null >"$st/console.log" 2>&1 &
  echo $! >"$st/nspawn.pid"

  local waited=0 pid
  until pid=$(leader "$id"); do
    if ! kill -0 "$(cat "$st/nspawn.pid")" 2>/dev/null; then
      echo "sysroot: boot of $id failed; console:" >&2
      tail -n 40 "$st/console.log" >&2
      false
    fi
    [ "$waited" -ge $((start_timeout * 10)) ] && { echo "sysroot: no PID 1 after ${start_timeout}s" >&2; false; }
    sleep 0.1
    waited=$((waited + 1))
  done
  up_done=yes
  echo "$pid"
}

# Mount namespaces that belong to this id: the private one (unshare/nspawn) and the
# container's. Processes still in them (e.g. a test's nsenter) would keep the overlay
# alive after nspawn exits, so `down` kills them.
pids_in_mntns() {
  local want=$1 p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$want" ] && echo "${p#/proc/}"
  done
  return 0
}

down() {
  local id=$1 st nspawn="" pid="" ns_private="" ns_container="" i
  st="$state_parent/$id"
  nspawn=$(cat "$st/nspawn.pid" 2>/dev/null || true)
  if [ -n "$nspawn" ] && [ -d "/proc/$nspawn" ]; then
    ns_private=$(readlink "/proc/$nspawn/ns/mnt" || true)
    pid=$(leader "$id" || true)
    [ -n "$pid" ] && ns_container=$(readlink "/proc/$pid/ns/mnt" || true)
    # SIGTERM makes nspawn ask the container's systemd for an orderly poweroff.
    kill -TERM "$nspawn" 2>/dev/null || true
    for ((i = 0; i < stop_timeout * 10; i++)); do
      [ -d "/proc/$nspawn" ] || break
      sleep 0.1
    done
    if [ -d "/proc/$nspawn" ]; then
      echo "sysroot: $id did not stop in ${stop_timeout}s, killing it" >&2
      if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
      kill -KILL "$nspawn" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  local ns p
  for ns in "$ns_container" "$ns_private"; do
    [ -n "$ns" ] || continue
    for p in $(pids_in_mntns "$ns"); do
      [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null || true
    done
  done
  net_down "$id"
  if [ -d "$st" ]; then
    # Only empty mount points and small files are left here; refuse to recurse
    # into anything that is still a mount point.
    if grep -q " $st/" /proc/self/mountinfo; then
      die "$st still has mounts in this namespace; not removing it"
    fi
    rm -rf "$st"
  fi
  rmdir "$state_parent" 2>/dev/null || true
}

exec_in() {
  local id=$1 user=""
  shift
  if [ "${1:-}" = --user ]; then
    user=$2
    shift 2
  fi
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || die "exec: no command"
  local pid
  pid=$(leader "$id") || die "$id is not running"
  # Never run anything in this machine's own namespaces, whatever went wrong above.
  local ns
  for ns in mnt net pid; do
    [ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
      die "PID $pid shares this machine's $ns namespace; refusing"
  done
  # nsenter keeps this machine's capabilities; the container's processes have fewer.
  # Give the command the container PID 1's bounding set, so it can do no more than
  # a root process of the container could (no mounting this machine's disk...).
  local bnd caps="-all" bit
  bnd=$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$pid/status")
  for ((bit = 0; bit < 64; bit++)); do
    if (((16#$bnd >> bit) & 1)); then caps="$caps,+cap_$bit"; fi
  done
  local enter=(nsenter --target "$pid" --mount --uts --ipc --net --pid --cgroup --root --wd
    setpriv "--bounding-set=$caps" --inh-caps=-all --)
  local env=(env -i "PATH=$inner_path" LANG=C.UTF-8 TERM=dumb)
  if [ -n "$user" ]; then
    local home
    home=$(nsenter --target "$pid" --mount --root -- getent passwd "$user" | cut -d: -f6) ||
      die "no user $user in the root"
    exec "${enter[@]}" runuser -u "$user" -- "${env[@]}" "HOME=$home" "USER=$user" "$@"
  fi
  exec "${enter[@]}" "${env[@]}" HOME=/root USER=root "$@"
}

peer() {
  local id=$1 which=$2 ns
  shift 2
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || die "peer: no command"
  ns=$(ns_peer "$id" "$which")
  ns_exists "$ns" || die "no network namespace $ns"
  exec ip netns exec "$ns" "$@"
}

list() {
  {
    ls "$state_parent" 2>/dev/null || true
    ip netns list 2>/dev/null | sed -n 's/^clawkit-\([a-z0-9]*\)-.*/\1/p'
  } | sort -u
}

cmd=${1:-}
[ -n "$cmd" ] || die "usage: sysroot.sh up|exec|peer|leader|down|net-up|net-down|list ..."
shift
case "$cmd" in
  list) list; exit 0 ;;
esac
check_id "${1:-}"
id=$1
shift
case "$cmd" in
  up) up "$id" "$@" ;;
  _boot) boot "$id" ;;
  exec) exec_in "$id" "$@" ;;
  peer) peer "$id" "$@" ;;
  leader) leader "$id" ;;
  down) down "$id" ;;
  net-up) net_up "$id" ;;
  net-down) net_down "$id" ;;
  *) die "unknown command $cmd" ;;
esac
