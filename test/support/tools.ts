import { spawn, SpawnOptions, spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** True when the run is CI's: a missing tool is then a failure, never a skip. */
export const IN_CI = process.env.CI === "true";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");

/** The pinned Node 24 and openclaw, installed by install-runtime.sh as on the server. */
export const NODE24 = path.join(ROOT, "vps", "host", "node", "node");
export const OPENCLAW_CLI = path.join(
  ROOT,
  "vps",
  "host",
  "openclaw",
  "node_modules",
  "openclaw",
  "openclaw.mjs",
);

/** What a test needs that may be missing on a laptop. */
export interface Prerequisite {
  readonly name: string;
  readonly present: boolean;
  readonly hint: string;
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export function command(
  name: string,
  hint = "run .ci/run (it installs every test tool)",
): Prerequisite {
  return { name, present: hasCommand(name), hint };
}

export function file(name: string, filePath: string, hint: string): Prerequisite {
  return { name, present: fs.existsSync(filePath), hint };
}

export function rootUser(): Prerequisite {
  return { name: "root", present: process.getuid?.() === 0, hint: "run the tests as root (sudo)" };
}

/**
 * Call in a before() hook: skips the suite with a loud reason when something is
 * missing, except in CI, where every layer must run and a missing tool fails.
 */
export function requirePrerequisites(context: Mocha.Context, ...needs: Prerequisite[]): void {
  const missing = needs.filter((n) => !n.present);
  if (missing.length === 0) return;
  const reason = missing.map((m) => `${m.name} (${m.hint})`).join(", ");
  if (IN_CI) throw new Error(`CI must run every layer, but this one lacks: ${reason}`);
  console.warn(`\n  !!! SKIPPING "${context.test?.parent?.title}": missing ${reason}\n`);
  context.skip();
}

/** Runs a program and returns its status and output; never throws on a non-zero exit. */
export function run(
  program: string,
  args: readonly string[],
  options: SpawnSyncOptions = {},
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(program, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) throw result.error;
  return {
    status: result.status ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

/**
 * Runs a program like run(), without blocking this process: for a program that talks to
 * a server the test itself serves.
 */
export function runAsync(
  program: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/**
 * Runs argv after `setup` (shell, typically mounts) in a private mount namespace
 * of its own: what setup mounts is seen by argv alone, never by this machine.
 */
/**
 * Runs a shell script of test/support as root in private mount, network and PID
 * namespaces (only loopback, which the script brings up; every process it starts
 * dies with it, even when the test times out).
 */
export function inPrivateNamespaces(
  script: string,
  args: readonly string[],
  options: SpawnSyncOptions = {},
): { status: number; stdout: string; stderr: string } {
  return run(
    "unshare",
    [
      "--mount",
      "--net",
      "--pid",
      "--fork",
      "--mount-proc",
      "--propagation",
      "private",
      "sh",
      path.join(ROOT, "test", "support", script),
      ...args,
    ],
    options,
  );
}

export function inPrivateMounts(
  setup: string,
  argv: readonly string[],
  options: SpawnSyncOptions = {},
): { status: number; stdout: string; stderr: string } {
  const script = `set -e; ${setup}; exec "$@"`;
  return run(
    "unshare",
    ["--mount", "--propagation", "private", "sh", "-c", script, "sh", ...argv],
    options,
  );
}

/**
 * Runs the pinned openclaw CLI (under Node 24) with the rendered config as it is.
 * That config names host paths (its log file under /var/lib/openclaw), so the CLI
 * gets a tmpfs over /var/lib: nothing it writes there reaches this machine.
 */
export function runOpenclaw(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeout = 120_000,
): { status: number; stdout: string; stderr: string } {
  return inPrivateMounts(
    "mount -t tmpfs -o mode=0755 tmpfs /var/lib",
    [NODE24, OPENCLAW_CLI, ...args],
    { env, timeout },
  );
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clawkit-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command resource's inputs the way @pulumi/command's local provider does. */
export function runLocalCommand(
  inputs: Record<string, unknown>,
  which: "create" | "delete",
  env: Record<string, string>,
): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", String(inputs[which])], {
      cwd: inputs.dir === undefined ? undefined : String(inputs.dir),
      env: { ...env, ...(inputs.environment as Record<string, string>) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", () => undefined);
    child.stdin.end(inputs.stdin === undefined ? "" : String(inputs.stdin));
    child.on("close", (status) => resolve({ status: status ?? -1, stderr }));
  });
}
