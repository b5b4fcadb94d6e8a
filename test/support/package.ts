import * as fs from "fs";
import * as path from "path";
import { NODE24, ROOT, run, tempDir } from "./tools";

/** The pinned npm (vps/host/node), run by the pinned Node with that Node first on PATH. */
function npm(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const cli = path.join(ROOT, "vps", "host", "node", "node_modules", "npm", "bin", "npm-cli.js");
  return run(NODE24, [cli, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${path.dirname(NODE24)}:${process.env.PATH}` },
  });
}

/** One file of the tarball, as `npm pack --json` reports it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** The package, packed and installed into a Pulumi project of its own. */
export interface InstalledPackage {
  /** Bytes of the .tgz. */
  readonly tarballSize: number;
  /** Every file in the tarball. */
  readonly files: readonly PackedFile[];
  /** The consumer project: a Pulumi program there imports "clawkit". */
  readonly projectDir: string;
  /** The unpacked tarball: projectDir/node_modules/clawkit. */
  readonly packageDir: string;
}

let installed: InstalledPackage | undefined;

/**
 * The package as a user gets it, once per test run. dist/ is removed first and
 * `npm pack` builds it again through the `prepare` script, as a git install does;
 * the tarball is unpacked into a fresh project's node_modules/clawkit, and the kit's
 * production dependencies (package-lock.json's entries not marked dev) are linked beside it from this
 * checkout's node_modules, as `npm install` would hoist them (offline). No
 * devDependency (ts-node, typescript, mocha) is there: the package must run without.
 */
export function installedPackage(): InstalledPackage {
  if (installed) return installed;
  const project = tempDir("consumer");
  process.on("exit", project.remove);
  const modules = path.join(project.dir, "node_modules");
  const packageDir = path.join(modules, "clawkit");
  fs.mkdirSync(packageDir, { recursive: true });

  fs.rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
  const pack = npm(["pack", "--json", "--pack-destination", project.dir]);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [report] = JSON.parse(pack.stdout) as {
    filename: string;
    size: number;
    files: PackedFile[];
  }[];
  const tarball = path.join(project.dir, report.filename);
  const untar = run("tar", ["-xzf", tarball, "-C", packageDir, "--strip-components=1"]);
  if (untar.status !== 0) throw new Error(`tar failed:\n${untar.stderr}`);

  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  // Top-level entries only (nested ones live inside them); dev and devOptional
  // (ts-node, typescript: only optional peers of @pulumi/pulumi) are left out.
  const names = Object.entries(lock.packages)
    .filter(
      ([key, entry]) =>
        /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key) && !entry.dev && !entry.devOptional,
    )
    .map(([key]) => key.slice("node_modules/".length));
  for (const name of names) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", name), path.join(modules, name));
  }
  installed = {
    tarballSize: report.size,
    files: report.files,
    projectDir: project.dir,
    packageDir,
  };
  return installed;
}
