/**
 * `npm run build` (and `prepare`, so a git install builds too): the package in
 * dist/. tsc (tsconfig.build.json) writes the JavaScript and declarations; then
 * every file the code reads at run time through __dirname is copied beside it, at
 * the same path relative to the code that reads it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");

/** Directories whose matching files the code reads at run time. */
const ASSETS: readonly { readonly dir: string; readonly files: RegExp }[] = [
  // Shipped to the server by the bundle and the user-data (vps/host/paths.ts readShipped).
  { dir: "vps/host/scripts", files: /\.sh$/ },
  { dir: "vps/host/files", files: /./ },
  { dir: "vps/host/node", files: /^package(-lock)?\.json$/ },
  { dir: "vps/host/openclaw", files: /^package(-lock)?\.json$/ },
  // Run by node on the operator's machine (vps/exposureCheck.ts).
  { dir: "vps", files: /^exposure-check\.mjs$/ },
  // Run by sh on the operator's machine (moltworker/workerDeploy.ts).
  { dir: "moltworker", files: /\.sh$/ },
];

fs.rmSync(DIST, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
  {
    cwd: ROOT,
    stdio: "inherit",
  },
);
for (const { dir, files } of ASSETS) {
  const names = fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isFile() && files.test(entry.name))
    .map((entry) => entry.name);
  if (names.length === 0) throw new Error(`build: no files in ${dir} match ${files}`);
  fs.mkdirSync(path.join(DIST, dir), { recursive: true });
  for (const name of names) fs.copyFileSync(path.join(ROOT, dir, name), path.join(DIST, dir, name));
}
