import * as assert from "assert";
import { AwsClient } from "aws4fetch";
import * as crypto from "crypto";
import * as fs from "fs";
import { AddressInfo } from "net";
import * as path from "path";
import { program } from "../../program/program";
import { MoltworkerAgent } from "../../moltworker/agent";
import { signV4 } from "../support/sigv4";
import { FakeBucket } from "../support/fakeS3";
import { moltworkerConfig, sourceOf } from "../support/config";
import { installMocks, registered, settle, unwrap, valueOf } from "../support/mocks";
import { command, requirePrerequisites, run, runLocalCommand, tempDir } from "../support/tools";

describe("artifacts: SigV4 signing against AWS's published example", function () {
  it("reproduces the reference signature", function () {
    // The GET ListUsers example of AWS's Signature Version 4 documentation.
    const authorization = signV4({
      method: "GET",
      host: "iam.amazonaws.com",
      path: "/",
      query: [
        ["Action", "ListUsers"],
        ["Version", "2010-05-08"],
      ],
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "x-amz-date": "20150830T123600Z",
      },
      payloadHash: crypto.createHash("sha256").update("").digest("hex"),
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      region: "us-east-1",
      service: "iam",
      amzDate: "20150830T123600Z",
    });
    assert.strictEqual(
      authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
        "SignedHeaders=content-type;host;x-amz-date, " +
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });
});

describe("artifacts: the fake R2's SigV4 verifier, which every exporter request must pass", function () {
  it("reproduces AWS's published S3 GET Object example", function () {
    const emptyHash = crypto.createHash("sha256").update("").digest("hex");
    assert.match(
      signV4({
        method: "GET",
        host: "examplebucket.s3.amazonaws.com",
        path: "/test.txt",
        query: [],
        headers: {
          range: "bytes=0-9",
          "x-amz-content-sha256": emptyHash,
          "x-amz-date": "20130524T000000Z",
        },
        payloadHash: emptyHash,
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "s3",
        amzDate: "20130524T000000Z",
      }),
      /, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41$/,
    );
  });

  it("accepts what aws4fetch signs for the bucket's key, and nothing signed with another", async function () {
    const credentials = { accessKeyId: "AKIDTESTONLY", secretAccessKey: "TESTONLY-secret" };
    const fake = new FakeBucket("b", credentials, { pageSize: 2 });
    fake.objects.set("workspace/a b+c!.md", Buffer.from("x"));
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (fake.server.address() as AddressInfo).port;
      const url = `http://127.0.0.1:${port}/b/workspace/a%20b%2Bc%21.md`;
      const right = new AwsClient({ ...credentials, service: "s3", region: "auto" });
      assert.strictEqual((await right.fetch(url)).status, 200);
      const wrong = new AwsClient({
        ...credentials,
        secretAccessKey: "other",
        service: "s3",
        region: "auto",
      });
      assert.strictEqual((await wrong.fetch(url)).status, 403);
      assert.strictEqual(fake.rejected, 1);
    } finally {
      fake.server.close();
    }
  });
});

describe("artifacts: `pulumi destroy` with bucketOnDestroy export, run for real against a fake R2 [M9]", function () {
  this.timeout(60_000);
  let work: { dir: string; remove: () => void };
  let guard: Record<string, unknown>;
  let bucket: FakeBucket;
  let credentials: { accessKeyId: string; secretAccessKey: string };

  const contents = (): [string, Buffer][] => [
    ["openclaw/openclaw.json", Buffer.from('{"agents":{}}\n')],
    ["workspace/notes/a b & c.md", Buffer.from("# notes\n")],
    ["workspace/MEMORY.md", Buffer.from("remember\n")],
    ["skills/x/SKILL.md", Buffer.from("skill\n")],
    ["openclaw/state.bin", crypto.randomBytes(4096)],
  ];
  /** Runs the guard's delete step with its endpoint on the fake bucket (and other stdin if given). */
  const destroy = (stdin?: string) => {
    const port = (bucket.server.address() as AddressInfo).port;
    return runLocalCommand(
      {
        ...guard,
        stdin: stdin ?? guard.stdin,
        environment: {
          ...(guard.environment as Record<string, string>),
          CLAWKIT_R2_ENDPOINT: `http://127.0.0.1:${port}`,
          CLAWKIT_EXPORT_DIR: path.join(work.dir, "exports"),
        },
      },
      "delete",
      { PATH: "/usr/bin:/bin", HOME: work.dir },
    );
  };
  const exports = () =>
    fs.existsSync(path.join(work.dir, "exports"))
      ? fs.readdirSync(path.join(work.dir, "exports")).map((d) => path.join(work.dir, "exports", d))
      : [];

  before(async function () {
    requirePrerequisites(this, command("sha256sum"));
    work = tempDir("bucket-export");
    await installMocks();
    const start = registered.length;
    const outputs = program(
      sourceOf({ ...moltworkerConfig(), "clawkit:bucketOnDestroy": "export" }),
      "dev",
    ) as MoltworkerAgent;
    await valueOf(outputs.gatewayToken);
    await settle();
    const found = registered
      .slice(start)
      .find(
        (r) => r.type === "command:local:Command" && r.name === "openclaw-bucket-guard-on-destroy",
      )!;
    guard = unwrap(found.inputs) as Record<string, unknown>;
    credentials = JSON.parse(String(guard.stdin)) as typeof credentials;
    bucket = new FakeBucket("openclaw-dev-state", credentials, { pageSize: 2 });
    await new Promise<void>((resolve) => bucket.server.listen(0, "127.0.0.1", resolve));
  });
  after(function () {
    bucket?.server.close();
    work?.remove();
  });
  beforeEach(function () {
    fs.rmSync(path.join(work.dir, "exports"), { recursive: true, force: true });
    bucket.objects.clear();
    for (const [key, body] of contents()) bucket.objects.set(key, body);
    bucket.afterDelete = () => undefined;
  });

  it("downloads every object into a private directory with a manifest sha256sum accepts, then empties the bucket", async function () {
    const before = new Map(bucket.objects);
    const r = await destroy();
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(bucket.rejected, 0, "a request's signature did not verify");
    assert.strictEqual(bucket.objects.size, 0, "the bucket is not empty");
    const [dir, ...others] = exports();
    assert.strictEqual(others.length, 0);
    assert.match(path.basename(dir), /^openclaw-dev-state-\d{8}T\d{6}Z$/);
    assert.strictEqual(fs.statSync(dir).mode & 0o777, 0o700);
    for (const [key, body] of before) {
      const file = path.join(dir, ...key.split("/"));
      assert.ok(fs.readFileSync(file).equals(body), `${key} differs`);
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, `${key} is not private`);
    }
    const check = run("sha256sum", ["-c", "--strict", "MANIFEST.sha256"], { cwd: dir });
    assert.strictEqual(check.status, 0, check.stdout + check.stderr);
    assert.strictEqual(check.stdout.trim().split("\n").length, before.size);
    assert.match(r.stderr, /exported 5 objects/);
  });

  it("deletes nothing when an object cannot be written as a file", async function () {
    bucket.objects.set("workspace/../../escape", Buffer.from("x"));
    const r = await destroy();
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /cannot be written as a file; nothing was deleted/);
    assert.strictEqual(bucket.objects.size, contents().length + 1);
  });

  it("deletes nothing with the wrong credentials", async function () {
    const r = await destroy(JSON.stringify({ ...credentials, secretAccessKey: "wrong" }));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /HTTP 403/);
    assert.strictEqual(bucket.objects.size, contents().length);
    bucket.rejected = 0;
  });

  it("fails, keeping what arrived meanwhile, when the container writes during the export", async function () {
    let once = false;
    bucket.afterDelete = () => {
      if (!once) bucket.objects.set("openclaw/late.json", Buffer.from("{}"));
      once = true;
    };
    const r = await destroy();
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /appeared in the bucket during the export/);
    assert.deepStrictEqual([...bucket.objects.keys()], ["openclaw/late.json"]);
  });
});
