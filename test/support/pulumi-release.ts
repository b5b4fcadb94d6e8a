// Stand-ins for a Pulumi CLI release, for scripts/install-pulumi.sh: a tarball laid out
// as Pulumi's (a top-level pulumi/ directory), a file server on loopback that counts
// what it is asked, and a copy of the kit's scripts/ whose lock points at that server.
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { ROOT, run, runAsync, tempDir } from "./tools";

export const INSTALLER = path.join(ROOT, "scripts", "install-pulumi.sh");

let pinned: string | undefined;
/** The Pulumi CLI version scripts/pulumi-cli.lock pins, as the installer reads it. */
export function pinnedPulumiVersion(): string {
  if (pinned === undefined) {
    const result = run("bash", [INSTALLER, "--version"]);
    if (result.status !== 0 || !/^\d+\.\d+\.\d+\n$/.test(result.stdout))
      throw new Error(`install-pulumi.sh --version: ${result.stdout}${result.stderr}`);
    pinned = result.stdout.trim();
  }
  return pinned;
}

/** This machine's architecture as Pulumi's release file names spell it. */
export function releaseArch(): string {
  if (process.arch !== "x64" && process.arch !== "arm64")
    throw new Error(`no Pulumi CLI release for ${process.arch}`);
  return process.arch;
}

/** The release tarball's file name for a version on this machine. */
export function releaseFile(version: string): string {
  return `pulumi-v${version}-linux-${releaseArch()}.tar.gz`;
}

/** A `pulumi` that answers `version` and nothing else. */
export function versionOnlyPulumi(version: string): string {
  return `#!/bin/sh\n[ "$1" = version ] && echo v${version}\n`;
}

/**
 * Builds a release tarball in `dir` holding pulumi/pulumi (the given script) and, for a
 * tarball of a real one's size, `fillerBytes` of random (incompressible) data.
 */
export function buildRelease(
  dir: string,
  name: string,
  pulumi: string,
  fillerBytes = 0,
): { file: string; sha256: string } {
  const staging = fs.mkdtempSync(path.join(dir, "release-"));
  fs.mkdirSync(path.join(staging, "pulumi"));
  fs.writeFileSync(path.join(staging, "pulumi", "pulumi"), pulumi, { mode: 0o755 });
  if (fillerBytes > 0) {
    const fd = fs.openSync(path.join(staging, "pulumi", "filler.bin"), "w");
    const chunk = Buffer.alloc(16 * 1024 * 1024);
    for (let left = fillerBytes; left > 0; left -= chunk.length)
      fs.writeSync(fd, crypto.randomFillSync(chunk), 0, Math.min(left, chunk.length));
    fs.closeSync(fd);
  }
  const file = path.join(dir, name);
  const tar = run("tar", ["-czf", file, "-C", staging, "pulumi"]);
  if (tar.status !== 0) throw new Error(tar.stderr);
  fs.rmSync(staging, { recursive: true, force: true });
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  return { file, sha256 };
}

/** How the server answers a request for a release file. */
export type Answer = "whole" | "truncated" | "missing";

/**
 * A file server on 127.0.0.1 for release tarballs under /releases/sdk/: it counts every
 * request, proxy requests for other hosts included, and answers as `answer` says.
 */
export class ReleaseServer {
  readonly requests: string[] = [];
  answer: Answer = "whole";
  private readonly server: http.Server;

  constructor(private readonly files: Record<string, string>) {
    this.server = http.createServer((req, res) => {
      this.requests.push(req.url ?? "");
      const file = this.files[path.basename(req.url ?? "")];
      if (this.answer === "missing" || file === undefined) {
        res.writeHead(404).end("not found\n");
        return;
      }
      const size = fs.statSync(file).size;
      res.writeHead(200, { "content-length": size, "content-type": "application/gzip" });
      if (this.answer === "truncated") {
        res.write(fs.readFileSync(file).subarray(0, Math.floor(size / 2)), () => res.destroy());
      } else fs.createReadStream(file).pipe(res);
    });
  }

  /** Starts listening on loopback; the base URL of the release files. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${this.port}/releases/sdk/`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A copy of the kit's installer in `dir`/scripts, with a lock that pins `name` at
 * `sha256` and fetches from `baseUrl`; it installs into `dir`/.tools.
 */
export function installerCopy(dir: string, baseUrl: string, name: string, sha256: string): string {
  const scripts = path.join(dir, "scripts");
  fs.mkdirSync(scripts, { recursive: true });
  const [installer, lock] = [
    path.join(scripts, "install-pulumi.sh"),
    path.join(scripts, "pulumi-cli.lock"),
  ];
  // Either may be a link to the kit's own, which must stay as it is.
  for (const file of [installer, lock]) fs.rmSync(file, { force: true });
  fs.copyFileSync(INSTALLER, installer);
  fs.writeFileSync(
    lock,
    `# a test's pin: a release its own server serves\n# url: ${baseUrl}\n${sha256}  ${name}\n`,
  );
  return installer;
}

/**
 * For the bench: seconds each of `runs` first installs takes (nothing installed yet)
 * from a file server on loopback, with a tarball of about a real release's size.
 */
export async function timeFirstInstalls(
  runs: number,
  fillerBytes: number,
): Promise<{ seconds: number[]; tarballBytes: number }> {
  const tmp = tempDir("pulumi-install-bench");
  const version = pinnedPulumiVersion();
  const name = releaseFile(version);
  const release = buildRelease(tmp.dir, name, versionOnlyPulumi(version), fillerBytes);
  const server = new ReleaseServer({ [name]: release.file });
  try {
    const installer = installerCopy(tmp.dir, await server.start(), name, release.sha256);
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      fs.rmSync(path.join(tmp.dir, ".tools"), { recursive: true, force: true });
      const start = process.hrtime.bigint();
      const result = await runAsync("bash", [installer], { env: { PATH: "/usr/bin:/bin" } });
      seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (result.status !== 0 || server.requests.length !== i + 1)
        throw new Error(`install ${i + 1}: ${result.stderr}`);
    }
    return { seconds, tarballBytes: fs.statSync(release.file).size };
  } finally {
    await server.stop();
    tmp.remove();
  }
}
