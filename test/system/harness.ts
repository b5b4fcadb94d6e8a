/**
 * The system layer's harness: a throwaway Debian root (overlayfs over this
 * machine's `/`, in a private mount namespace, booted by systemd-nspawn) whose
 * network namespace has a public veth to an "internet" peer, a veth named
 * tailscale0 to a "tailnet" peer, and an "upstream" namespace behind the internet
 * peer. The shell side lives in sysroot.sh (boot, exec, teardown), debs.sh
 * (packages this machine lacks) and topology.env (addresses).
 *
 *   const host = await SystemHost.start({ userData });
 *   host.exec("cloud-init status --long");
 *   host.execIn("tailnet", ["python3", "-c", "..."]);
 *   host.tcpConnect("internet", NET.publicHost, 22);
 *   await host.stop();
 *
 * Nothing runs in this machine's own namespaces: exec goes through nsenter into the
 * container (refused if its namespaces were this machine's), execIn through
 * `ip netns exec` into a namespace the harness made.
 */
import { ChildProcess, spawn, SpawnSyncOptions } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { command, file, Prerequisite, rootUser, run, tempDir } from "../support/tools";

export const SYSTEM_DIR = __dirname;
const SYSROOT = path.join(SYSTEM_DIR, "sysroot.sh");
const DEBS = path.join(SYSTEM_DIR, "debs.sh");

/** topology.env as a map: the one place the addresses are written down. */
export function readTopology(): Record<string, string> {
  const text = fs.readFileSync(path.join(SYSTEM_DIR, "topology.env"), "utf8");
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (m) values[m[1]] = m[2];
  }
  return values;
}

const topology = readTopology();
function need(key: string): string {
  const value = topology[key];
  if (value === undefined) throw new Error(`topology.env has no ${key}`);
  return value;
}

/** Addresses and interface names of the test network (from topology.env). */
export const NET = {
  publicIf: need("PUBLIC_IF"),
  publicHost: need("PUBLIC_HOST_ADDR"),
  publicPeer: need("PUBLIC_PEER_ADDR"),
  publicPrefix: Number(need("PUBLIC_PREFIX")),
  tailnetIf: need("TAILNET_IF"),
  tailnetHost: need("TAILNET_HOST_ADDR"),
  tailnetPeer: need("TAILNET_PEER_ADDR"),
  tailnetPrefix: Number(need("TAILNET_PREFIX")),
  tailnetCidr: need("TAILNET_CIDR"),
  upstreamGateway: need("UPSTREAM_GATEWAY_ADDR"),
  upstreamAllowed: need("UPSTREAM_ALLOWED_ADDR"),
  upstreamForbidden: need("UPSTREAM_FORBIDDEN_ADDR"),
  dns: need("DNS_ADDR"),
  publicHost6: need("PUBLIC_HOST_ADDR6"),
  publicPeer6: need("PUBLIC_PEER_ADDR6"),
  tailnetHost6: need("TAILNET_HOST_ADDR6"),
  tailnetPeer6: need("TAILNET_PEER_ADDR6"),
  tailnetCidr6: need("TAILNET_CIDR6"),
  upstreamAllowed6: need("UPSTREAM_ALLOWED_ADDR6"),
  upstreamForbidden6: need("UPSTREAM_FORBIDDEN_ADDR6"),
  dns6: need("DNS_ADDR6"),
} as const;

export type Peer = "internet" | "tailnet" | "upstream";
export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}
export interface ExecOptions {
  /** Fed to the command's stdin. */
  input?: string | Buffer;
  /** Run as this user of the root (runuser), not root. Only for exec. */
  user?: string;
  /** Kill the command after this long (default 120 s); status is then -1. */
  timeoutMs?: number;
}
/** A file placed in the root before boot. */
export type StagedFile =
  string | Buffer | { content?: string | Buffer; source?: string; mode?: number };

export interface StartOptions {
  /** NoCloud user-data (default: an empty #cloud-config). */
  userData?: string;
  /** NoCloud meta-data (default: instance-id and local-hostname clawkit-<id>). */
  metaData?: string;
  /** Files placed in the root before boot, by absolute path inside the root. */
  files?: Record<string, StagedFile>;
  /**
   * Units of this machine's image that a fresh server would not start (disabled,
   * so provisioning can still enable and start them). Default: DEFAULT_DISABLED.
   */
  disableUnits?: readonly string[];
  maskUnits?: readonly string[];
  /** Units (staged with `files`) to enable before boot. */
  enableUnits?: readonly string[];
  /** Directories of this machine shown read-only in the root: source path -> path inside. */
  bindReadOnly?: Record<string, string>;
  /** Keep this machine's Docker-style policy-rc.d (removed by default). */
  keepPolicyRcD?: boolean;
  /** Wait for `systemctl is-system-running --wait` (default true). */
  waitForBoot?: boolean;
  /** Give up on boot after this long (default 180 s). */
  bootTimeoutMs?: number;
}

/**
 * postgresql: on this machine's image, never on a server. squid: the kit installs
 * and configures it; the image's stock squid hangs 2 minutes at boot on reverse DNS.
 */
export const DEFAULT_DISABLED = ["postgresql.service", "squid.service"] as const;

/** What the system layer needs on the test machine. */
export function systemPrerequisites(): Prerequisite[] {
  const apt = "apt-get install systemd-container iproute2 util-linux (run .ci/run)";
  return [
    rootUser(),
    command("systemd-nspawn", apt),
    command("systemd-machine-id-setup", apt),
    command("ip", apt),
    command("unshare", apt),
    command("nsenter", apt),
    command("setpriv", apt),
    command("runuser", apt),
    command("sudo", "apt-get install sudo (the throwaway root's admin provisions through it)"),
    command("python3", "apt-get install python3"),
    command("apt-get", "a Debian 12 machine"),
    file("cloud-init", "/usr/bin/cloud-init", "apt-get install cloud-init (run .ci/run)"),
    file(
      "Debian 12",
      "/etc/debian_version",
      "the throwaway root is this machine's /: run on Debian 12",
    ),
    {
      name: "overlayfs",
      present: fs.readFileSync("/proc/filesystems", "utf8").includes("\toverlay\n"),
      hint: "a kernel with overlayfs (modprobe overlay)",
    },
  ];
}

const live = new Set<SystemHost>();
let exitHookInstalled = false;
function teardownAll(): void {
  for (const host of live) {
    try {
      host.stopSync();
    } catch (error) {
      console.error(`system harness: teardown of ${host.id} failed: ${(error as Error).message}`);
    }
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when a run ends without stop(). systemd-nspawn runs in its own
  // session (setsid), so a Ctrl-C does not reach it: tear down, then die of the signal.
  process.on("exit", teardownAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      console.error(`system harness: ${signal}, tearing down ${live.size} root(s)`);
      teardownAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Waits ms milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function toArgv(cmd: string | readonly string[]): string[] {
  return typeof cmd === "string" ? ["sh", "-c", cmd] : [...cmd];
}

export class SystemHost {
  /** How long start() took until the root's systemd reported running/degraded. */
  bootMs = 0;
  /** `systemctl is-system-running` after boot: "running" or "degraded". */
  systemState = "";
  /** Units that had failed when boot finished. */
  failedUnits: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private stopped = false;

  private constructor(
    readonly id: string,
    readonly stateDir: string,
  ) {}

  static async start(options: StartOptions = {}): Promise<SystemHost> {
    installExitHook();
    const t0 = Date.now();
    const id = crypto.randomBytes(3).toString("hex");
    const stateParent = process.env.CLAWKIT_SYSROOT_STATE ?? "/run/clawkit-system";
    const host = new SystemHost(id, path.join(stateParent, id));
    const scratch = tempDir("system-seed");
    try {
      const args = ["up", id];
      if (options.userData !== undefined) {
        fs.writeFileSync(path.join(scratch.dir, "user-data"), options.userData);
        args.push("--user-data", path.join(scratch.dir, "user-data"));
      }
      if (options.metaData !== undefined) {
        fs.writeFileSync(path.join(scratch.dir, "meta-data"), options.metaData);
        args.push("--meta-data", path.join(scratch.dir, "meta-data"));
      }
      if (options.files && Object.keys(options.files).length > 0) {
        const stage = path.join(scratch.dir, "stage");
        for (const [target, spec] of Object.entries(options.files)) stageFile(stage, target, spec);
        args.push("--stage", stage);
      }
      for (const unit of options.disableUnits ?? DEFAULT_DISABLED) args.push("--disable", unit);
      for (const unit of options.maskUnits ?? []) args.push("--mask", unit);
      for (const unit of options.enableUnits ?? []) args.push("--enable", unit);
      for (const [source, target] of Object.entries(options.bindReadOnly ?? {})) {
        args.push("--bind-ro", `${source}:${target}`);
      }
      if (options.keepPolicyRcD) args.push("--keep-policy-rc.d");

      live.add(host);
      // sysroot.sh copies the seed and staged files into its state: scratch can go.
      const up = run(SYSROOT, args);
      scratch.remove();
      if (up.status !== 0) throw new Error(`sysroot.sh up failed (${up.status}):\n${up.stderr}`);
      if (options.waitForBoot ?? true) await host.waitForBoot(options.bootTimeoutMs ?? 180_000);
      host.bootMs = Date.now() - t0;
      return host;
    } catch (error) {
      const consoleTail = host.consoleLog().split("\n").slice(-30).join("\n");
      try {
        await host.stop();
      } catch (stopError) {
        console.error((stopError as Error).message);
      }
      throw new Error(`${(error as Error).message}\n--- console (last lines) ---\n${consoleTail}`);
    } finally {
      scratch.remove();
    }
  }

  /** Waits until the root's systemd finished starting up; records state and failed units. */
  async waitForBoot(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const jobs = this.exec("systemctl list-jobs --no-pager", { timeoutMs: 10_000 }).stdout;
        throw new Error(`boot did not finish in ${timeoutMs} ms; jobs:\n${jobs}`);
      }
      // Before systemd's private socket exists this answers "offline" at once.
      const r = this.exec(["systemctl", "is-system-running", "--wait"], { timeoutMs: left });
      const state = r.stdout.trim();
      if (["running", "degraded", "maintenance"].includes(state)) {
        this.systemState = state;
        break;
      }
      if (this.leader() === undefined) throw new Error(`the root stopped while booting (${state})`);
      await sleep(200);
    }
    this.failedUnits = this.exec("systemctl --failed --no-legend --plain")
      .stdout.split("\n")
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((u) => u);
  }

  /**
   * Reboots the root as a server reboots: its systemd shuts down, the same disk
   * (the overlay) and network come back, and systemd boots again.
   */
  async reboot(timeoutMs = 180_000): Promise<void> {
    const before = this.leader();
    if (before === undefined) throw new Error("the root is not running");
    this.exec(["systemctl", "reboot"], { timeoutMs: 10_000 });
    const deadline = Date.now() + timeoutMs;
    let after = this.leader();
    while (after === undefined || after === before) {
      if (Date.now() > deadline)
        throw new Error(`the root did not come back within ${timeoutMs} ms`);
      await sleep(200);
      after = this.leader();
    }
    await this.waitForBoot(Math.max(1000, deadline - Date.now()));
  }

  /** The root's PID 1 as seen from this machine, or undefined when not running. */
  leader(): number | undefined {
    const r = run(SYSROOT, ["leader", this.id]);
    return r.status === 0 ? Number(r.stdout.trim()) : undefined;
  }

  /** Runs a command inside the root (a string goes to `sh -c`) as root or `user`. */
  exec(cmd: string | readonly string[], options: ExecOptions = {}): ExecResult {
    const args = ["exec", this.id];
    if (options.user) args.push("--user", options.user);
    args.push("--", ...toArgv(cmd));
    return run(SYSROOT, args, spawnOptions(options));
  }

  /** Runs a command on this machine's tools, inside a peer network namespace. */
  execIn(peer: Peer, cmd: string | readonly string[], options: ExecOptions = {}): ExecResult {
    if (options.user) throw new Error("execIn runs as root (the peers are not users)");
    return run(SYSROOT, ["peer", this.id, peer, "--", ...toArgv(cmd)], spawnOptions(options));
  }

  /**
   * Starts a long-running command (a server, a client) inside the root ("host") or
   * a peer, without waiting. Killed by stop() at the latest.
   */
  spawnIn(where: Peer | "host", cmd: string | readonly string[]): ChildProcess {
    const args =
      where === "host"
        ? ["exec", this.id, "--", ...toArgv(cmd)]
        : ["peer", this.id, where, "--", ...toArgv(cmd)];
    const child = spawn(SYSROOT, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  /** Whether a TCP connection from `from` to address:port succeeds within timeoutMs. */
  tcpConnect(from: Peer | "host", address: string, port: number, timeoutMs = 3000): boolean {
    const probe = [
      "python3",
      "-c",
      "import socket, sys\n" +
        "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))\n" +
        "s.close()",
      address,
      String(port),
      String(timeoutMs / 1000),
    ];
    const r = from === "host" ? this.exec(probe) : this.execIn(from, probe);
    return r.status === 0;
  }

  writeFile(pathInRoot: string, content: string | Buffer, mode = 0o644): void {
    if (!path.isAbsolute(pathInRoot)) throw new Error(`not an absolute path: ${pathInRoot}`);
    const r = this.exec(
      [
        "sh",
        "-c",
        'mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"',
        "sh",
        pathInRoot,
        (mode & 0o7777).toString(8),
      ],
      { input: content },
    );
    if (r.status !== 0) throw new Error(`writing ${pathInRoot} in the root failed: ${r.stderr}`);
  }

  readFile(pathInRoot: string): string {
    const r = this.exec(["cat", "--", pathInRoot]);
    if (r.status !== 0) throw new Error(`reading ${pathInRoot} in the root failed: ${r.stderr}`);
    return r.stdout;
  }

  /** The root's journal (of one unit), for failure messages. */
  journal(unit?: string, lines = 100): string {
    const args = ["journalctl", "--no-pager", "-n", String(lines)];
    if (unit) args.push("-u", unit);
    return this.exec(args).stdout;
  }

  /** What the root printed on its console (systemd and cloud-init progress). */
  consoleLog(): string {
    try {
      return fs.readFileSync(path.join(this.stateDir, "console.log"), "utf8");
    } catch {
      return "";
    }
  }

  /** Shuts the root down and removes every namespace, mount and file it made. */
  async stop(): Promise<void> {
    this.stopSync();
  }

  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.children) child.kill("SIGKILL");
    const r = run(SYSROOT, ["down", this.id]);
    live.delete(this);
    if (r.status !== 0) throw new Error(`sysroot.sh down ${this.id} failed: ${r.stderr}`);
  }
}

/**
 * Fetches (never installs here) the .debs of packages this machine lacks, with
 * their missing dependencies. Returns their directory and file names.
 */
export function fetchDebs(packages: readonly string[]): { dir: string; debs: string[] } {
  const fetched = run(DEBS, [...packages], { timeout: 600_000 });
  if (fetched.status !== 0) throw new Error(`debs.sh ${packages.join(" ")}: ${fetched.stderr}`);
  const dir = fetched.stdout.trim().split("\n").pop() ?? "";
  return { dir, debs: fs.readdirSync(dir).filter((f) => f.endsWith(".deb")) };
}

function spawnOptions(options: ExecOptions): SpawnSyncOptions {
  return {
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    killSignal: "SIGKILL",
  };
}

function stageFile(stage: string, target: string, spec: StagedFile): void {
  if (!path.isAbsolute(target)) throw new Error(`staged file needs an absolute path: ${target}`);
  const dest = path.join(stage, target);
  if (!dest.startsWith(stage + path.sep))
    throw new Error(`staged file escapes the root: ${target}`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const s = typeof spec === "string" || Buffer.isBuffer(spec) ? { content: spec } : spec;
  if (s.source !== undefined) fs.copyFileSync(s.source, dest);
  else fs.writeFileSync(dest, s.content ?? "");
  const mode = s.mode ?? (s.source !== undefined ? fs.statSync(s.source).mode & 0o7777 : 0o644);
  fs.chmodSync(dest, mode);
}
