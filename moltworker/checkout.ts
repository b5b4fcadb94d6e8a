import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** A moltworker checkout as found on disk. */
export interface Checkout {
  /** The absolute path of the checkout. */
  readonly dir: string;
  /** The text of its wrangler.jsonc, if present. */
  readonly wranglerConfig?: string;
  /** The commit checked out (git HEAD), if it is a git checkout. */
  readonly head?: string;
  /** True when tracked files differ from that commit. */
  readonly dirty: boolean;
}

/** git in a directory, or undefined when it fails (not a checkout, no git). */
function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Looks at a moltworker checkout: its wrangler.jsonc, its commit, local changes. */
export function readCheckout(dir: string): Checkout | undefined {
  const absolute = path.resolve(dir);
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) return undefined;
  const configPath = path.join(absolute, "wrangler.jsonc");
  const status = git(absolute, ["status", "--porcelain", "--untracked-files=no"]);
  return {
    dir: absolute,
    wranglerConfig: fs.existsSync(configPath) ? fs.readFileSync(configPath, "utf8") : undefined,
    head: git(absolute, ["rev-parse", "HEAD"]),
    dirty: status !== undefined && status !== "",
  };
}
