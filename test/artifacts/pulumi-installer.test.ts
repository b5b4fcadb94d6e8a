import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  buildRelease,
  installerCopy,
  pinnedPulumiVersion,
  releaseFile,
  ReleaseServer,
  versionOnlyPulumi,
} from "../support/pulumi-release";
import { run, runAsync, tempDir } from "../support/tools";

/**
 * scripts/install-pulumi.sh run for real by bash, in a copy of scripts/ whose lock pins a
 * tarball this test built and serves on loopback, so every download is seen.
 */
describe("artifacts: scripts/install-pulumi.sh, the pinned Pulumi CLI, against a file server on loopback [S7]", function () {
  const version = pinnedPulumiVersion();
  const name = releaseFile(version);
  let tmp: ReturnType<typeof tempDir>;
  let good: { file: string; sha256: string };
  let tampered: { file: string; sha256: string };
  let otherVersion: { file: string; sha256: string };

  before(function () {
    tmp = tempDir("pulumi-releases");
    const release = (dir: string, script: string) => {
      fs.mkdirSync(path.join(tmp.dir, dir));
      return buildRelease(path.join(tmp.dir, dir), name, script);
    };
    good = release("good", versionOnlyPulumi(version));
    tampered = release("tampered", `${versionOnlyPulumi(version)}echo tampered\n`);
    otherVersion = release("other-version", versionOnlyPulumi("3.0.0"));
  });
  after(() => tmp.remove());

  /** A kit copy, a server giving `served` for the release file, and the installer to run. */
  async function setup(served: { file: string }, pin = good.sha256) {
    const kit = tempDir("pulumi-installer");
    const server = new ReleaseServer({ [name]: served.file });
    const installer = installerCopy(kit.dir, await server.start(), name, pin);
    const tools = path.join(kit.dir, ".tools");
    const install = (env: NodeJS.ProcessEnv = {}) =>
      runAsync("bash", [installer], { env: { PATH: "/usr/bin:/bin", ...env } });
    /** What .tools holds: the install, and never a download or unpacked tree left behind. */
    const left = () => (fs.existsSync(tools) ? fs.readdirSync(tools).sort() : []);
    const done = async () => {
      await server.stop();
      kit.remove();
    };
    return { kit, server, installer, tools, install, left, done };
  }

  it("a tarball matching the pin installs into .tools/pulumi-v<version>, prints that directory, and its pulumi runs", async function () {
    const s = await setup(good);
    try {
      const r = await s.install();
      assert.strictEqual(r.status, 0, r.stderr);
      const bin = path.join(s.tools, `pulumi-v${version}`);
      assert.strictEqual(r.stdout, `${bin}\n`);
      assert.deepStrictEqual(s.server.requests, [`/releases/sdk/${name}`]);
      assert.strictEqual(run(path.join(bin, "pulumi"), ["version"]).stdout, `v${version}\n`);
      assert.deepStrictEqual(s.left(), [`pulumi-v${version}`]);
    } finally {
      await s.done();
    }
  });

  it("a second run downloads nothing and prints the same directory", async function () {
    const s = await setup(good);
    try {
      const first = await s.install();
      assert.strictEqual(first.status, 0, first.stderr);
      const second = await s.install();
      assert.strictEqual(second.status, 0, second.stderr);
      assert.strictEqual(second.stdout, first.stdout);
      assert.strictEqual(s.server.requests.length, 1, s.server.requests.join(", "));
    } finally {
      await s.done();
    }
  });

  it("an install that no longer says the pinned version is replaced by a verified one, never merged into", async function () {
    const s = await setup(good);
    try {
      const installed = path.join(s.tools, `pulumi-v${version}`);
      fs.mkdirSync(installed, { recursive: true });
      fs.writeFileSync(path.join(installed, "pulumi"), versionOnlyPulumi("3.0.0"), { mode: 0o755 });
      fs.writeFileSync(path.join(installed, "stray"), "");
      const r = await s.install();
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(s.server.requests.length, 1);
      assert.strictEqual(run(path.join(installed, "pulumi"), ["version"]).stdout, `v${version}\n`);
      assert.ok(!fs.existsSync(path.join(installed, "stray")), "the old install's files remain");
      assert.deepStrictEqual(s.left(), [`pulumi-v${version}`]);
    } finally {
      await s.done();
    }
  });

  it("a tarball that does not match the pin is refused, naming the file and both sums; nothing is installed", async function () {
    const s = await setup(tampered);
    try {
      const r = await s.install();
      assert.notStrictEqual(r.status, 0);
      assert.ok(
        r.stderr.includes(`${name} has sha256 ${tampered.sha256}, but`) &&
          r.stderr.includes(`pins ${good.sha256}`),
        r.stderr,
      );
      assert.match(r.stderr, /nothing was installed/);
      assert.strictEqual(s.server.requests.length, 1);
      assert.deepStrictEqual(s.left(), []);
    } finally {
      await s.done();
    }
  });

  for (const answer of ["truncated", "missing"] as const) {
    it(`a ${answer === "truncated" ? "download cut off halfway" : "release the server does not have (404)"} fails naming the URL; nothing is installed`, async function () {
      const s = await setup(good);
      try {
        s.server.answer = answer;
        const r = await s.install();
        assert.notStrictEqual(r.status, 0);
        assert.match(
          r.stderr,
          new RegExp(`downloading \\S+/${name} failed; nothing was installed`),
        );
        assert.strictEqual(s.server.requests.length, 1);
        assert.deepStrictEqual(s.left(), []);
      } finally {
        await s.done();
      }
    });
  }

  it("a tarball matching the pin whose pulumi says another version is refused; nothing is installed", async function () {
    const s = await setup(otherVersion, otherVersion.sha256);
    try {
      const r = await s.install();
      assert.notStrictEqual(r.status, 0);
      assert.ok(
        r.stderr.includes(`says 'v3.0.0', not v${version}; nothing was installed`),
        r.stderr,
      );
      assert.deepStrictEqual(s.left(), []);
    } finally {
      await s.done();
    }
  });

  it("plain http to any host but loopback is refused before any request", async function () {
    const s = await setup(good);
    try {
      const url = "http://get.pulumi.com/releases/sdk/";
      fs.writeFileSync(
        path.join(s.kit.dir, "scripts", "pulumi-cli.lock"),
        `# url: ${url}\n${good.sha256}  ${name}\n`,
      );
      // Through this proxy a request to that host would reach the test's server: the
      // control run shows it is counted.
      const proxy = { http_proxy: `http://127.0.0.1:${s.server.port}` };
      const r = await s.install(proxy);
      assert.notStrictEqual(r.status, 0);
      assert.ok(r.stderr.includes(`${url}${name}: the Pulumi CLI is fetched over https only`));
      assert.deepStrictEqual(s.server.requests, []);
      assert.deepStrictEqual(s.left(), []);
      const control = await runAsync("curl", ["-fsS", "-o", "/dev/null", `${url}${name}`], {
        env: { PATH: "/usr/bin:/bin", ...proxy },
      });
      assert.strictEqual(control.status, 0, control.stderr);
      assert.deepStrictEqual(s.server.requests, [`${url}${name}`]);
    } finally {
      await s.done();
    }
  });

  it("a machine architecture the lock pins nothing for is refused, naming it, before any request", async function () {
    const s = await setup(good);
    try {
      const bin = path.join(s.kit.dir, "bin");
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(bin, "uname"),
        '#!/bin/sh\ncase "$1" in -m) echo sparc64 ;; *) exec /usr/bin/uname "$@" ;; esac\n',
        { mode: 0o755 },
      );
      const r = await s.install({ PATH: `${bin}:/usr/bin:/bin` });
      assert.notStrictEqual(r.status, 0);
      assert.ok(r.stderr.includes(`architecture, sparc64 (`) && r.stderr.includes(name), r.stderr);
      assert.deepStrictEqual(s.server.requests, []);
      assert.deepStrictEqual(s.left(), []);
    } finally {
      await s.done();
    }
  });
});
