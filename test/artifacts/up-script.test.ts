import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, run, tempDir } from "../support/tools";

/**
 * scripts/up.sh with its own flags, run for real by bash against a stand-in `pulumi`
 * that records each call's argv and the environment it was given, and with the
 * dependency installer left out (this test is about what up.sh hands to pulumi).
 */
function upScript() {
  const tmp = tempDir("up-script");
  const dir = tmp.dir;
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.mkdirSync(path.join(dir, "bin"));
  fs.mkdirSync(path.join(dir, "home"), { mode: 0o700 });
  fs.copyFileSync(path.join(ROOT, "scripts", "up.sh"), path.join(dir, "scripts", "up.sh"));
  fs.writeFileSync(path.join(dir, "scripts", "install-node-deps.sh"), "exit 0\n");
  const log = path.join(dir, "pulumi.log");
  fs.writeFileSync(
    path.join(dir, "bin", "pulumi"),
    [
      "#!/bin/sh",
      `printf 'argv:%s\\n' "$*" >>'${log}'`,
      `printf 'backend:%s passphrase-file:%s\\n' "\${PULUMI_BACKEND_URL:-}" "\${PULUMI_CONFIG_PASSPHRASE_FILE:-}" >>'${log}'`,
      // Logged in nowhere: up.sh picks a backend itself.
      '[ "$1" = whoami ] && exit 1',
      "exit 0",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  const home = path.join(dir, "home");
  const secretFile = (name: string, content: string, mode: number) => {
    const file = path.join(home, name);
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
    return file;
  };
  const up = (args: string[]) =>
    run("bash", [path.join(dir, "scripts", "up.sh"), ...args], {
      cwd: dir,
      env: { PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`, HOME: home },
    });
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "");
  return { tmp, home, up, calls, secretFile };
}

const R2 =
  "s3://clawkit-state?endpoint=0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com&region=auto&profile=clawkit-state";

describe("artifacts: scripts/up.sh for team state (--backend, --passphrase-file), by bash with a stand-in pulumi [S6]", function () {
  it("hands pulumi the bucket and the passphrase file, never the passphrase or the bucket's key", function () {
    const s = upScript();
    try {
      fs.mkdirSync(path.join(s.home, ".aws"), { mode: 0o700 });
      s.secretFile(
        ".aws/credentials",
        "[clawkit-state]\naws_access_key_id = AKIDTESTONLY\naws_secret_access_key = TESTONLYSECRETKEY\n",
        0o600,
      );
      const passphrase = s.secretFile("passphrase", "TESTONLY-passphrase-correct-horse\n", 0o600);
      const r = s.up(["--backend", R2, "--passphrase-file", passphrase, "team", "--yes"]);
      assert.strictEqual(r.status, 0, r.stderr);
      const calls = s.calls();
      assert.match(calls, /^argv:stack select --create --secrets-provider passphrase team$/m);
      assert.match(calls, /^argv:up --stack team --yes$/m);
      assert.ok(calls.includes(`backend:${R2} passphrase-file:${passphrase}`), calls);
      for (const secret of ["TESTONLY-passphrase", "TESTONLYSECRETKEY", "AKIDTESTONLY"])
        assert.ok(!calls.includes(secret) && !r.stderr.includes(secret), secret);
    } finally {
      s.tmp.remove();
    }
  });

  it("without --backend, the local file backend in ~/.clawkit-state (0700), as before", function () {
    const s = upScript();
    try {
      const r = s.up([]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(s.calls().includes(`backend:file://${s.home}/.clawkit-state`), s.calls());
      assert.match(s.calls(), /^argv:up --stack dev$/m);
      assert.strictEqual(fs.statSync(path.join(s.home, ".clawkit-state")).mode & 0o777, 0o700);
    } finally {
      s.tmp.remove();
    }
  });

  const refusals: [string, (s: ReturnType<typeof upScript>) => string[], RegExp][] = [
    [
      "a passphrase file others may read",
      (s) => ["--passphrase-file", s.secretFile("passphrase", "x\n", 0o644)],
      /may be read by others \(mode 644\): chmod 600/,
    ],
    [
      "an empty passphrase file",
      (s) => ["--passphrase-file", s.secretFile("passphrase", "", 0o600)],
      /is empty/,
    ],
    [
      "a hosted backend",
      () => ["--backend", "https://api.pulumi.com"],
      /only a bucket or directory you own/,
    ],
    [
      "an R2 bucket without region=auto",
      () => ["--backend", "s3://b?endpoint=0123.r2.cloudflarestorage.com"],
      /needs region=auto/,
    ],
    [
      "a bucket key in a credentials file others may read",
      (s) => {
        fs.mkdirSync(path.join(s.home, ".aws"), { mode: 0o700 });
        s.secretFile(".aws/credentials", "[clawkit-state]\n", 0o644);
        return ["--backend", R2];
      },
      /credentials may be read by others \(mode 644\): chmod 600/,
    ],
    ["a profile with no credentials file", () => ["--backend", R2], /does not exist/],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} before pulumi runs, saying the fix`, function () {
      const s = upScript();
      try {
        const r = s.up(args(s));
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, message);
        assert.strictEqual(s.calls(), "", "pulumi ran");
      } finally {
        s.tmp.remove();
      }
    });
  }
});
