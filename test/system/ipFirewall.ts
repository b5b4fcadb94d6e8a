/**
 * Checks of systemd's per-unit IP firewall (IPAddressDeny=/IPAddressAllow=) inside
 * the throwaway root: cgroup BPF programs that systemd attaches to a unit's cgroup.
 * The gateway's second wall, for when the host firewall (ufw) fails.
 *
 *   const fw = bpfFirewallEnforced(host);
 *   if (!fw.enforced) console.log(`      IPAddressDeny= NOT ENFORCED here: ${fw.reason}`);
 *
 *   host.exec("ufw disable");
 *   const gw = onlyLoopbackFromUnit(host, "openclaw-gateway.service");
 *   assert.ok(gw.ok, gw.reason);
 *
 * How a destination counts as reached or blocked, per probe:
 * - UDP: sendto() returns EPERM when an egress filter in this kernel dropped the
 *   datagram (the BPF program, or netfilter); "sent" means it left.
 * - TCP (non-blocking, all at once): connected or ECONNREFUSED means the peer's stack
 *   answered; a dropped SYN only times out ("timeout"), it never says EPERM.
 * Every probe is paired with a control without the unit's IP programs (a unit
 * without the properties, or a process outside any unit), same network namespace and
 * netfilter: a destination the control cannot reach either proves nothing about the
 * unit's wall and is reported as such.
 */
import * as crypto from "crypto";
import { readTopology, SystemHost } from "./harness";

export interface Target {
  address: string;
  port: number;
}

export interface ProbeResult {
  /** "203.0.113.1:9", "[::1]:9", "[ff02::1%eth0]:9" */
  target: string;
  /** "sent", or the errno name sendto() failed with (EPERM: dropped by a local filter). */
  udp: string;
  /** "connected", "timeout" or the errno name (ECONNREFUSED: the peer answered). */
  tcp: string;
  /** UDP left, or TCP got an answer. */
  reached: boolean;
}

export interface ProbeReport {
  /** The probe's own cgroup (the `0::` line of /proc/self/cgroup inside the root). */
  cgroup: string;
  results: ProbeResult[];
}

/** A port nothing listens on: an answer is a refusal, which still means "reached". */
const PROBE_PORT = 9;
/** How long the TCP probes wait, all together. */
const TCP_WAIT_S = 2;

/**
 * argv: JSON [[address, port], ...], seconds to wait for TCP. Prints a ProbeReport.
 * Sockets are made after any move into a cgroup: cgroup BPF programs apply by the
 * cgroup of the process that created the socket.
 */
const PROBE = String.raw`
import errno, json, select, socket, sys, time
targets, wait = json.loads(sys.argv[1]), float(sys.argv[2])
name = lambda code: "connected" if code == 0 else errno.errorcode.get(code, str(code))
def addr(a, p, kind):
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    return fam, socket.getaddrinfo(a, p, fam, kind, 0, socket.AI_NUMERICHOST)[0][4]
results, pending, poller = [], {}, select.poll()
for a, p in targets:
    r = {"target": ("[%s]:%d" if ":" in a else "%s:%d") % (a, p)}
    fam, sa = addr(a, p, socket.SOCK_DGRAM)
    with socket.socket(fam, socket.SOCK_DGRAM) as u:
        try:
            u.sendto(b"clawkit-ip-firewall-probe", sa)
            r["udp"] = "sent"
        except OSError as e:
            r["udp"] = name(e.errno)
    fam, sa = addr(a, p, socket.SOCK_STREAM)
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setblocking(False)
    code = t.connect_ex(sa)
    if code == errno.EINPROGRESS:
        r["tcp"] = "timeout"
        pending[t.fileno()] = (t, r)
        poller.register(t, select.POLLOUT)
    else:
        r["tcp"] = name(code)
        t.close()
    results.append(r)
deadline = time.monotonic() + wait
while pending and time.monotonic() < deadline:
    for fd, _ in poller.poll(max(1, int((deadline - time.monotonic()) * 1000))):
        t, r = pending.pop(fd)
        poller.unregister(fd)
        r["tcp"] = name(t.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
        t.close()
for t, _ in pending.values():
    t.close()
cgroup = [l[3:] for l in open("/proc/self/cgroup").read().split("\n") if l.startswith("0::")]
print(json.dumps({"cgroup": cgroup[0] if cgroup else "", "results": results}))
`;

function targetArgs(targets: readonly Target[]): string[] {
  return [JSON.stringify(targets.map((t) => [t.address, t.port])), String(TCP_WAIT_S)];
}

function parseReport(what: string, r: { status: number; stdout: string; stderr: string }) {
  const line = r.stdout.trim().split("\n").pop() ?? "";
  let parsed: { cgroup: string; results: Omit<ProbeResult, "reached">[] };
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`${what}: no probe report (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return {
    cgroup: parsed.cgroup,
    results: parsed.results.map((x) => ({
      ...x,
      reached: x.udp === "sent" || x.tcp === "connected" || x.tcp === "ECONNREFUSED",
    })),
  };
}

/** Blocked by an egress filter: the datagram was refused and the SYN got no answer. */
function blocked(r: ProbeResult): boolean {
  return r.udp === "EPERM" && !r.reached;
}

/** Runs the probe in a fresh transient service of the root's systemd, with `properties`. */
export function probeInTransientUnit(
  host: SystemHost,
  properties: readonly string[],
  targets: readonly Target[],
): ProbeReport {
  // Own unit names: never share a cgroup with another probe's unit.
  const unit = `clawkit-ipfw-${crypto.randomBytes(4).toString("hex")}.service`;
  const args = ["systemd-run", "--quiet", "--wait", "--pipe", `--unit=${unit}`];
  for (const p of properties) args.push("-p", p);
  args.push("python3", "-c", PROBE, ...targetArgs(targets));
  return parseReport(
    `transient unit (${properties.join(" ") || "no properties"})`,
    host.exec(args),
  );
}

/** Runs the probe from outside every unit (the harness's exec: no cgroup program). */
export function probeOutsideUnits(host: SystemHost, targets: readonly Target[]): ProbeReport {
  return parseReport(
    "probe outside units",
    host.exec(["python3", "-c", PROBE, ...targetArgs(targets)]),
  );
}

/** Loopback, both families. */
export function loopbackTargets(): Target[] {
  return [
    { address: "127.0.0.1", port: PROBE_PORT },
    { address: "::1", port: PROBE_PORT },
  ];
}

/**
 * Every non-loopback address of the test network that exists (topology.env, the
 * IPv6 ones when it has them), the host's own included, plus IPv6 link-local
 * all-nodes on the public interface (there is always a link-local route).
 */
export function outsideTargets(): Target[] {
  const topo = readTopology();
  const keys = [
    "PUBLIC_PEER_ADDR",
    "PUBLIC_HOST_ADDR",
    "TAILNET_PEER_ADDR",
    "TAILNET_HOST_ADDR",
    "UPSTREAM_GATEWAY_ADDR",
    "UPSTREAM_ALLOWED_ADDR",
    "DNS_ADDR",
  ];
  const addresses = new Set<string>();
  for (const key of keys) {
    for (const k of [key, `${key}6`]) if (topo[k]) addresses.add(topo[k]);
  }
  addresses.add(`ff02::1%${topo.PUBLIC_IF ?? "eth0"}`);
  return [...addresses].map((address) => ({ address, port: PROBE_PORT }));
}

function describe(r: ProbeResult): string {
  return `${r.target} (udp ${r.udp}, tcp ${r.tcp})`;
}

/**
 * Whether systemd in the root really enforces IPAddressDeny=, by trying it:
 * - a transient unit with IPAddressDeny=any alone is refused (EPERM) on loopback,
 *   IPv4 and IPv6. The host firewall never filters loopback (ufw accepts `lo` first):
 *   this is the unit's BPF program and nothing else, whatever state ufw is in;
 * - with IPAddressAllow=localhost added, loopback gets through again;
 * - the same unit without the properties (the control) gets through;
 * - the internet peer (IPv4, IPv6) is refused with both properties, when the control
 *   reaches it (with ufw up it may not: then the peer proves nothing, and `reason` says so).
 * `reason` says what failed, or what held.
 */
export function bpfFirewallEnforced(host: SystemHost): {
  enforced: boolean;
  reason: string;
  denyAll: ProbeReport;
  withAllow: ProbeReport;
  control: ProbeReport;
} {
  const topo = readTopology();
  const loopback = loopbackTargets();
  const peers = [topo.PUBLIC_PEER_ADDR, topo.PUBLIC_PEER_ADDR6 ?? `ff02::1%${topo.PUBLIC_IF}`];
  const targets = [...loopback, ...peers.map((address) => ({ address, port: PROBE_PORT }))];
  const denyAll = probeInTransientUnit(host, ["IPAddressDeny=any"], targets);
  const withAllow = probeInTransientUnit(
    host,
    ["IPAddressDeny=any", "IPAddressAllow=localhost"],
    targets,
  );
  const control = probeInTransientUnit(host, [], targets);
  const problems: string[] = [];
  const notes: string[] = [];
  targets.forEach((_, i) => {
    const [d, a, c] = [denyAll.results[i], withAllow.results[i], control.results[i]];
    if (i < loopback.length) {
      if (!c.reached) problems.push(`the control did not reach loopback: ${describe(c)}`);
      if (!blocked(d)) problems.push(`IPAddressDeny=any did not refuse ${describe(d)}`);
      if (!a.reached) problems.push(`IPAddressAllow=localhost did not let ${describe(a)} through`);
    } else if (!c.reached) {
      notes.push(`${c.target} not checked: the control did not reach it either (${describe(c)})`);
    } else if (!blocked(a)) {
      problems.push(`IPAddressDeny=any IPAddressAllow=localhost did not refuse ${describe(a)}`);
    }
  });
  if (problems.length === 0) {
    return {
      enforced: true,
      reason:
        "IPAddressDeny=any refused " +
        [...denyAll.results.slice(0, loopback.length), ...withAllow.results.slice(loopback.length)]
          .filter(blocked)
          .map(describe)
          .join(", ") +
        "; IPAddressAllow=localhost and the control got through" +
        (notes.length ? `; ${notes.join("; ")}` : ""),
      denyAll,
      withAllow,
      control,
    };
  }
  // In a container systemd says why only at debug level (ERRNO=1: bpf() refused).
  const note = host
    .exec(["journalctl", "-b", "--no-pager", "-o", "cat", "--grep", "configures an IP firewall"])
    .stdout.trim();
  const unattached = denyAll.results.slice(0, loopback.length).some((r) => r.udp === "sent");
  return {
    enforced: false,
    reason:
      problems.concat(notes).join("; ") +
      (note
        ? `. systemd: ${note.split("\n")[0]}`
        : ". systemd said nothing (in a container it says so at debug level only)") +
      (unattached
        ? ". No program attached: bpf() refused by nspawn's seccomp filter (sysroot.sh " +
          "boot(): --system-call-filter=bpf), or systemd not on the unified cgroup hierarchy"
        : ""),
    denyAll,
    withAllow,
    control,
  };
}

export interface UnitProbe {
  unit: string;
  /** The unit's cgroup (ControlGroup=); the probe checked it ran there. */
  cgroup: string;
  /** Per destination: from inside the unit's cgroup, and the control from outside. */
  results: { inUnit: ProbeResult; control: ProbeResult }[];
  /** Destinations reached from inside the unit's cgroup. */
  reached: string[];
  /** Refused inside the unit, reached by the control: the unit's wall held. */
  blocked: string[];
  /** Not reached from inside, but not by the control either: proves nothing. */
  inconclusive: string[];
}

/**
 * Runs the probe as a process of a running unit: it writes its own PID into the
 * unit's cgroup.procs on the unified hierarchy (the root's systemd tracks the unit
 * there, and attached the unit's IP programs there), then makes its sockets. It
 * gets the unit's cgroup programs only, not the rest of its sandbox (user,
 * namespaces, seccomp are per process): it tests IPAddressDeny=/IPAddressAllow=.
 */
export function probeFromUnit(
  host: SystemHost,
  unit: string,
  targets: readonly Target[] = [...loopbackTargets(), ...outsideTargets()],
): UnitProbe {
  const show = host.exec(["systemctl", "show", "-p", "ActiveState", "-p", "ControlGroup", unit]);
  const props = Object.fromEntries(
    show.stdout
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (props.ActiveState !== "active" || !props.ControlGroup) {
    throw new Error(
      `${unit} is not running (ActiveState=${props.ActiveState}, ControlGroup=${props.ControlGroup})`,
    );
  }
  const mount = host.exec(["findmnt", "-n", "-t", "cgroup2", "-o", "TARGET"]).stdout.split("\n")[0];
  if (!mount) throw new Error("no cgroup2 hierarchy mounted in the root");
  const procs = `${mount.trim()}${props.ControlGroup}/cgroup.procs`;
  const moved = host.exec([
    "sh",
    "-c",
    'echo $$ >"$1" && shift && exec python3 -c "$@"',
    "sh",
    procs,
    PROBE,
    ...targetArgs(targets),
  ]);
  const inUnit = parseReport(`probe in ${unit}`, moved);
  if (inUnit.cgroup !== props.ControlGroup) {
    throw new Error(`the probe ran in ${inUnit.cgroup}, not in ${unit} (${props.ControlGroup})`);
  }
  const control = probeOutsideUnits(host, targets);
  const results = inUnit.results.map((r, i) => ({ inUnit: r, control: control.results[i] }));
  return {
    unit,
    cgroup: props.ControlGroup,
    results,
    reached: results.filter((r) => r.inUnit.reached).map((r) => r.inUnit.target),
    blocked: results
      .filter((r) => blocked(r.inUnit) && r.control.reached)
      .map((r) => r.inUnit.target),
    inconclusive: results
      .filter((r) => !r.inUnit.reached && !(blocked(r.inUnit) && r.control.reached))
      .map((r) => r.inUnit.target),
  };
}

/**
 * The gateway's wall: from inside `unit`'s cgroup, loopback (127.0.0.1, ::1) is
 * reached and every other address of the test network, IPv4 and IPv6, is refused by
 * the unit's own BPF program (the control from outside reaches it). Run it with the
 * root's host firewall off (`ufw disable`), or the control may not reach either.
 */
export function onlyLoopbackFromUnit(
  host: SystemHost,
  unit: string,
): { ok: boolean; reason: string; probe: UnitProbe } {
  const loopback = loopbackTargets();
  const probe = probeFromUnit(host, unit, [...loopback, ...outsideTargets()]);
  const problems: string[] = [];
  probe.results.forEach(({ inUnit, control }, i) => {
    if (i < loopback.length) {
      if (!inUnit.reached) problems.push(`loopback not reached: ${describe(inUnit)}`);
    } else if (inUnit.reached) {
      problems.push(`reached ${describe(inUnit)}`);
    } else if (!control.reached) {
      problems.push(`inconclusive ${inUnit.target}: the control did not reach it either`);
    } else if (!blocked(inUnit)) {
      problems.push(`${describe(inUnit)} not refused with EPERM`);
    }
  });
  return {
    ok: problems.length === 0,
    reason:
      problems.length === 0
        ? `${unit} (${probe.cgroup}) reached only loopback; refused: ${probe.blocked.join(", ")}`
        : `${unit} (${probe.cgroup}): ${problems.join("; ")}`,
    probe,
  };
}
