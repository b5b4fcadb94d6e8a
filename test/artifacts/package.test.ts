import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import { AddressInfo } from "net";
import * as path from "path";
import * as yaml from "js-yaml";
import type * as bucketGuardModule from "../../moltworker/bucketGuard";
import type * as pathsModule from "../../vps/host/paths";
import { FakeBucket } from "../support/fakeS3";
import { installMocks, registered, settle, unwrap } from "../support/mocks";
import { InstalledPackage, installedPackage } from "../support/package";
import {
  command,
  NODE24,
  requirePrerequisites,
  ROOT,
  run,
  runLocalCommand,
  tempDir,
} from "../support/tools";

/** Files of this checkout git tracks or would track, matching PATTERN (relative to ROOT). */
function tracked(pattern: RegExp): string[] {
  const result = run("git", ["ls-files", "-co", "--exclude-standard"], { cwd: ROOT });
  assert.strictEqual(result.status, 0, result.stderr);
  return result.stdout
    .split("\n")
    .filter((f) => pattern.test(f) && fs.existsSync(path.join(ROOT, f)));
}

/** What the code reads through __dirname at run time, by its path in the checkout. */
const RUNTIME_FILES =
  /^(vps\/host\/scripts\/[^/]+\.sh|vps\/host\/files\/[^/]+|vps\/host\/(node|openclaw)\/package(-lock)?\.json|vps\/exposure-check\.mjs|moltworker\/[^/]+\.sh)$/;

describe("artifacts: the npm package (npm pack, which builds it; unpacked into a project)", function () {
  this.timeout(300_000);
  let pkg: InstalledPackage;
  let packed: Set<string>;

  before(function () {
    requirePrerequisites(this, command("tar"), command("git"));
    pkg = installedPackage();
    packed = new Set(pkg.files.map((f) => f.path));
  });

  it("holds only the built package, the license, the README and the plugin manifest: no source test, stack, state, export or module", function () {
    const outside = [...packed].filter(
      (f) => !/^(package\.json|README\.md|LICENSE|PulumiPlugin\.yaml|dist\/.+)$/.test(f),
    );
    assert.deepStrictEqual(outside, []);
    const unwanted = [...packed].filter(
      (f) =>
        /(^|\/)(test|\.pulumi|exports|node_modules|program)\//.test(f) ||
        /(^|\/)Pulumi\.[^/]*\.ya?ml$/.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /\.(tgz|env|pem|key)$/.test(f),
    );
    assert.deepStrictEqual(unwanted, []);
  });

  it("holds JavaScript and declarations for every module of core/, vps/ and moltworker/, and the entry named in package.json", function () {
    const sources = tracked(/^(index\.ts|(core|vps|moltworker)\/.+\.ts)$/).filter(
      (f) => !/\.d\.m?ts$/.test(f),
    );
    assert.ok(sources.length >= 30, sources.join(", "));
    const missing = sources
      .flatMap((f) => [f.replace(/\.ts$/, ".js"), f.replace(/\.ts$/, ".d.ts")])
      .map((f) => `dist/${f}`)
      .filter((f) => !packed.has(f));
    assert.deepStrictEqual(missing, []);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(pkg.packageDir, "package.json"), "utf8"),
    ) as { main: string; types: string };
    for (const entry of [manifest.main, manifest.types]) assert.ok(packed.has(entry), entry);
  });

  it("holds every file the code reads at run time, byte for byte, at its path beside the code", function () {
    const files = tracked(RUNTIME_FILES);
    for (const dir of [
      "vps/host/scripts/",
      "vps/host/files/",
      "vps/host/node/",
      "vps/host/openclaw/",
    ])
      assert.ok(
        files.some((f) => f.startsWith(dir)),
        `nothing found under ${dir}`,
      );
    const differing = files.filter((f) => {
      const built = path.join(pkg.packageDir, "dist", f);
      return (
        !fs.existsSync(built) || !fs.readFileSync(built).equals(fs.readFileSync(path.join(ROOT, f)))
      );
    });
    assert.deepStrictEqual(differing, []);
  });

  it("LICENSE is the Apache License 2.0 text", function () {
    const license = fs.readFileSync(path.join(pkg.packageDir, "LICENSE"), "utf8");
    const debian = "/usr/share/common-licenses/Apache-2.0";
    if (fs.existsSync(debian)) assert.strictEqual(license, fs.readFileSync(debian, "utf8"));
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  });

  it("the built vps/host/paths.js reads the shipped scripts from the package", async function () {
    const paths = (await import(
      path.join(pkg.packageDir, "dist", "vps", "host", "paths.js")
    )) as typeof pathsModule;
    assert.strictEqual(paths.CLOUD_INIT_DIR, path.join(pkg.packageDir, "dist", "vps", "host"));
    for (const script of [
      "scripts/provision.sh",
      "scripts/secrets-apply.sh",
      "openclaw/package-lock.json",
    ])
      assert.strictEqual(
        paths.readShipped(script),
        fs.readFileSync(path.join(ROOT, "vps", "host", script), "utf8"),
      );
  });

  it("`pulumi package add` can start this checkout as a plugin: Pulumi's host loads package.json's main (dist/) and serves the snapshot's schema", async function () {
    const manifest = yaml.load(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8"));
    assert.deepStrictEqual(manifest, { runtime: "nodejs" });
    // What the nodejs language host runs for a plugin: run-plugin with the plugin's directory.
    const host = spawn(NODE24, [require.resolve("@pulumi/pulumi/cmd/run-plugin"), ROOT], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    host.stderr.on("data", (d) => (stderr += d));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        host.stdout.on("data", (d) => {
          stdout += d;
          const line = /^(\d+)\n/.exec(stdout);
          if (line) resolve(line[1]);
        });
        host.on("exit", (code) => reject(new Error(`the plugin exited (${code}): ${stderr}`)));
      });
      const client = new ResourceProviderClient(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      );
      try {
        const schema = await new Promise<string>((resolve, reject) =>
          client.getSchema(new GetSchemaRequest(), (error, response) =>
            error ? reject(error) : resolve(response.getSchema()),
          ),
        );
        const snapshot = path.join(ROOT, "test", "unit", "__snapshots__", "component-schema.json");
        assert.deepStrictEqual(JSON.parse(schema), JSON.parse(fs.readFileSync(snapshot, "utf8")));
      } finally {
        client.close();
      }
    } finally {
      host.kill();
    }
  });

  describe("pulumi destroy with bucketOnDestroy export, from the built package", function () {
    let work: { dir: string; remove: () => void };
    let bucket: FakeBucket;
    let guard: Record<string, unknown>;
    const credentials = { accessKeyId: "package-test-key", secretAccessKey: "package-test-secret" };

    before(async function () {
      work = tempDir("package-export");
      bucket = new FakeBucket("openclaw-pkg-state", credentials);
      await new Promise<void>((resolve) => bucket.server.listen(0, "127.0.0.1", resolve));
      await installMocks();
      const { BucketGuard } = (await import(
        path.join(pkg.packageDir, "dist", "moltworker", "bucketGuard.js")
      )) as typeof bucketGuardModule;
      const start = registered.length;
      new BucketGuard("pkg-guard", {
        bucketName: "openclaw-pkg-state",
        onDestroy: "export",
        endpoint: `http://127.0.0.1:${(bucket.server.address() as AddressInfo).port}`,
        credentials,
      });
      await settle();
      guard = unwrap(
        registered.slice(start).find((r) => r.name === "pkg-guard-on-destroy")!.inputs,
      ) as Record<string, unknown>;
    });
    after(function () {
      bucket?.server.close();
      work?.remove();
    });

    it("runs the package's own deploy.sh and its compiled exporter with plain node: no ts-node in the project, none asked for", function () {
      const fromPackage = createRequire(path.join(pkg.packageDir, "dist", "index.js"));
      assert.throws(() => fromPackage.resolve("ts-node"), /Cannot find module/);
      const environment = guard.environment as Record<string, string>;
      assert.strictEqual(
        guard.delete,
        `sh '${path.join(pkg.packageDir, "dist", "moltworker", "deploy.sh")}' bucket-on-destroy`,
      );
      assert.strictEqual(
        environment.CLAWKIT_EXPORTER,
        path.join(pkg.packageDir, "dist", "moltworker", "bucket-export-main.js"),
      );
      assert.strictEqual(environment.CLAWKIT_NODE_REQUIRE, undefined);
      // Exports land in the project pulumi runs in, never inside the installed package.
      assert.strictEqual(environment.CLAWKIT_EXPORT_DIR, path.resolve("exports"));
    });

    it("downloads the bucket into the project's exports/ and empties it", async function () {
      bucket.objects.set("workspace/MEMORY.md", Buffer.from("remember\n"));
      bucket.objects.set("openclaw/openclaw.json", Buffer.from("{}\n"));
      const r = await runLocalCommand(
        {
          ...guard,
          environment: {
            ...(guard.environment as Record<string, string>),
            CLAWKIT_EXPORT_DIR: path.join(work.dir, "exports"),
          },
        },
        "delete",
        { PATH: "/usr/bin:/bin", HOME: work.dir },
      );
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /exported 2 objects/);
      assert.strictEqual(bucket.objects.size, 0);
      assert.strictEqual(bucket.rejected, 0);
      const [dir] = fs.readdirSync(path.join(work.dir, "exports"));
      assert.strictEqual(
        fs.readFileSync(path.join(work.dir, "exports", dir, "workspace", "MEMORY.md"), "utf8"),
        "remember\n",
      );
    });
  });
});
