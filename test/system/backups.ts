/**
 * The kit's encrypted backups on a running host, and a restore onto a second, fresh
 * one (called from host.test.ts): a fake S3 bucket over TLS in the upstream namespace
 * keeps its objects in a directory of this machine, so the second host's bucket is
 * the first's. restic on this machine opens that directory as a repository to show
 * what the bucket holds: ciphertext that only the key turns back into the state.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BACKUP_ARCHIVE_NAME } from "../../vps/host/backup";
import { renderBundle } from "../../vps/host/bundle";
import { HOST } from "../../vps/host/paths";
import { NODE24, ROOT, run, tempDir } from "../support/tools";
import {
  addUpstreamAddress,
  applySecrets,
  BACKUP,
  BACKUP_ENDPOINT,
  BACKUP_RECEIVER,
  bootClawkitHost,
  FORBIDDEN_HOST,
  HOSTNAME,
  hostSettings,
  PROBE_IN_ROOT,
  provision,
  seedRuntime,
  startResolver,
  startTlsFake,
  testSecrets,
} from "./clawkitHost";
import { NET, sleep, SystemHost } from "./harness";

/** The bucket's objects, on this machine: one file a key (test/support/fakeS3.ts). */
export interface BucketStore {
  readonly dir: string;
  readonly remove: () => void;
}

export function makeBucketStore(): BucketStore {
  const tmp = tempDir("system-bucket");
  fs.writeFileSync(
    path.join(tmp.dir, "credentials.json"),
    JSON.stringify({ accessKeyId: BACKUP.accessKeyId, secretAccessKey: BACKUP.secretAccessKey }),
  );
  fs.mkdirSync(path.join(tmp.dir, "objects"));
  return { dir: tmp.dir, remove: tmp.remove };
}

/** Starts the fake bucket for HOST on BACKUP_RECEIVER:443, serving STORE's objects. */
export async function startFakeBucket(
  host: SystemHost,
  store: BucketStore,
): Promise<{ log: string; remove: () => void }> {
  addUpstreamAddress(host, BACKUP_RECEIVER);
  return startTlsFake(host, {
    role: "bucket",
    names: [BACKUP_ENDPOINT],
    addresses: [BACKUP_RECEIVER],
    env: [
      `FAKE_S3_BUCKET=${BACKUP.bucket}`,
      `FAKE_S3_CREDENTIALS=${path.join(store.dir, "credentials.json")}`,
      `FAKE_S3_DIR=${path.join(store.dir, "objects")}`,
    ],
    program: [
      NODE24,
      "-r",
      require.resolve("ts-node/register/transpile-only"),
      path.join(ROOT, "test", "support", "fakeS3.ts"),
    ],
  });
}

/** The bucket's keys (the repository's files, under the agent's prefix). */
function bucketKeys(store: BucketStore): string[] {
  return fs.readdirSync(path.join(store.dir, "objects")).map(decodeURIComponent).sort();
}

/**
 * The bucket's objects laid out as a local restic repository on this machine, for
 * restic to open with (or without) the key.
 */
function asLocalRepository(store: BucketStore): { dir: string; remove: () => void } {
  const repo = tempDir("system-repository");
  for (const key of bucketKeys(store)) {
    const inRepo = key.slice(`${HOSTNAME}/`.length);
    fs.mkdirSync(path.dirname(path.join(repo.dir, inRepo)), { recursive: true });
    fs.copyFileSync(
      path.join(store.dir, "objects", encodeURIComponent(key)),
      path.join(repo.dir, inRepo),
    );
  }
  return repo;
}

/**
 * restic on this machine against a local repository, with KEY in a 0600 file (never
 * argv, the environment or a pipe); its output through FILTER (a shell pipeline) if given.
 */
function localRestic(repo: string, key: string, args: string[], filter?: string) {
  const keyFile = tempDir("system-restic-key");
  fs.writeFileSync(path.join(keyFile.dir, "key"), key, { mode: 0o600 });
  const restic = [
    "restic",
    "--no-cache",
    "-r",
    repo,
    "--password-file",
    path.join(keyFile.dir, "key"),
    ...args,
  ];
  try {
    return filter
      ? run("bash", ["-o", "pipefail", "-c", `"$@" | ${filter}`, "bash", ...restic], {
          timeout: 120_000,
        })
      : run(restic[0], restic.slice(1), { timeout: 120_000 });
  } finally {
    keyFile.remove();
  }
}

/** The workspace file the tests plant as the agent, and look for after the restore. */
const CANARY = `${HOST.stateDir}/state/workspace/clawkit-backup-canary.md`;

/** sha256 of every regular file under the agent's workspace, by path: what a restore must bring back. */
function workspaceHashes(host: SystemHost): Record<string, string> {
  const r = host.exec([
    "sh",
    "-c",
    'cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum',
    "sh",
    `${HOST.stateDir}/state/workspace`,
  ]);
  assert.strictEqual(r.status, 0, r.stderr);
  return Object.fromEntries(
    r.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [hash, file] = l.split(/\s+/, 2);
        return [file, hash];
      }),
  );
}

/** What the backup tests leave for the restore test. */
export interface BackedUp {
  /** The snapshot the last backup made (restic's short id). */
  snapshot?: string;
  /** sha256 of each workspace file at that backup, by path. */
  workspace?: Record<string, string>;
  /** The random content of the canary file the agent planted. */
  canary?: string;
}

/** What the running host's tests know when these run. */
export interface BackupsContext {
  readonly host: SystemHost;
  readonly store: BucketStore;
  /** Every secret the host holds now. */
  readonly secrets: readonly string[];
  /** The secrets as last applied whole: a rotation changes one line of them. */
  readonly currentSecrets: () => string;
  readonly figures: Record<string, unknown>;
  readonly backedUp: BackedUp;
}

export function describeBackups(ctx: () => BackupsContext): void {
  describe("backups: the state, encrypted on the host, to the operator's bucket [W14]", function () {
    let host: SystemHost;
    const agent = (args: string[]) =>
      host.exec(["python3", PROBE_IN_ROOT, ...args], { user: HOST.agentUser });
    const asBackupUser = (args: string[]) =>
      host.exec(["python3", PROBE_IN_ROOT, ...args], { user: HOST.backupUser });
    const status = () =>
      Object.fromEntries(
        host
          .readFile(HOST.backupStatusFile)
          .trim()
          .split(" ")
          .map((pair) => pair.split("=", 2) as [string, string]),
      );

    before(function () {
      host = ctx().host;
    });

    it("the key and the bucket's token are in files only the backup user reads, never in a unit or the journal [S8]", function () {
      const modes = host.exec([
        "stat",
        "-c",
        "%a %U:%G %n",
        HOST.backupSecretsDir,
        `${HOST.backupSecretsDir}/repository-key`,
        `${HOST.backupSecretsDir}/s3-credentials`,
      ]);
      assert.strictEqual(modes.status, 0, modes.stderr);
      assert.deepStrictEqual(modes.stdout.trim().split("\n"), [
        `750 root:${HOST.backupUser} ${HOST.backupSecretsDir}`,
        `640 root:${HOST.backupUser} ${HOST.backupSecretsDir}/repository-key`,
        `640 root:${HOST.backupUser} ${HOST.backupSecretsDir}/s3-credentials`,
      ]);
      assert.strictEqual(
        host.readFile(`${HOST.backupSecretsDir}/repository-key`).trim(),
        BACKUP.key,
      );
      for (const file of ["repository-key", "s3-credentials"]) {
        const read = host.exec(["cat", `${HOST.backupSecretsDir}/${file}`], {
          user: HOST.agentUser,
        });
        assert.notStrictEqual(read.status, 0, `the agent user reads ${file}`);
      }
      const unit = host.readFile(`/etc/systemd/system/${HOST.backupUnit}`);
      for (const secret of [BACKUP.key, BACKUP.secretAccessKey, BACKUP.accessKeyId])
        assert.ok(!unit.includes(secret), "a backup secret is in the unit");
    });

    it("a backup: openclaw's verified archive, stored by restic as the backup user; the status says which snapshot [W14]", function () {
      const canary = crypto.randomBytes(24).toString("hex");
      const planted = host.exec(
        ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat >"$1"', "sh", CANARY],
        { user: HOST.agentUser, input: canary },
      );
      assert.strictEqual(planted.status, 0, planted.stderr);
      const start = Date.now();
      const r = host.exec(["systemctl", "start", HOST.backupUnit], { timeoutMs: 600_000 });
      const seconds = (Date.now() - start) / 1000;
      assert.strictEqual(
        r.status,
        0,
        `${r.stderr}\n${host.exec(["journalctl", "-u", HOST.backupUnit, "-n", "30", "--no-pager"]).stdout}`,
      );
      ctx().figures.backupSeconds = seconds;
      console.log(`      backup of the test state: ${seconds.toFixed(1)} s`);
      const last = status();
      assert.strictEqual(last.result, "ok");
      // restic's short id, which every restic command takes.
      assert.match(last.snapshot, /^[0-9a-f]{8,64}$/);
      ctx().backedUp.snapshot = last.snapshot;
      ctx().backedUp.workspace = workspaceHashes(host);
      assert.ok(Object.keys(ctx().backedUp.workspace!).includes("./clawkit-backup-canary.md"));
      ctx().backedUp.canary = canary;
      const posture = JSON.parse(host.exec(["clawkit-posture", "--json"]).stdout) as {
        backup: { configured: boolean; last: { result: string; snapshot: string } };
      };
      assert.strictEqual(posture.backup.configured, true);
      assert.strictEqual(posture.backup.last.result, "ok");
      assert.strictEqual(posture.backup.last.snapshot, last.snapshot);
    });

    it("the bucket holds ciphertext: restic opens it with the key and gives back the state, and not without [W14]", function () {
      const store = ctx().store;
      assert.ok(bucketKeys(store).every((k) => k.startsWith(`${HOSTNAME}/`)));
      const repo = asLocalRepository(store);
      try {
        const wrong = localRestic(repo.dir, "not-the-backup-key-0123456789abcdef", [
          "cat",
          "config",
        ]);
        assert.notStrictEqual(wrong.status, 0, "the repository opens with a wrong key");
        const snapshots = localRestic(repo.dir, BACKUP.key, ["snapshots", "--json"]);
        assert.strictEqual(snapshots.status, 0, snapshots.stderr);
        const ids = (JSON.parse(snapshots.stdout) as { id: string }[]).map((s) => s.id);
        assert.ok(
          ids.some((id) => id.startsWith(ctx().backedUp.snapshot!)),
          "the host's snapshot is not in the bucket",
        );
        const dumped = localRestic(
          repo.dir,
          BACKUP.key,
          ["dump", ctx().backedUp.snapshot!, `/${BACKUP_ARCHIVE_NAME}`],
          'tar -xzO --wildcards "*/clawkit-backup-canary.md"',
        );
        assert.strictEqual(dumped.status, 0, dumped.stderr);
        assert.strictEqual(dumped.stdout, ctx().backedUp.canary);
        // Without the key, no object of the bucket holds the archive, or the canary in it.
        for (const key of bucketKeys(store)) {
          const body = fs.readFileSync(path.join(store.dir, "objects", encodeURIComponent(key)));
          assert.ok(!body.includes(ctx().backedUp.canary!), key);
          assert.ok(!body.includes(Buffer.from("manifest.json")), `${key} holds a plain file name`);
        }
      } finally {
        repo.remove();
      }
    });

    it("rotating clawkit:backupKey re-keys the repository: the new key opens it, the old one no longer does, and backups go on [S8]", function () {
      const withKey = (key: string) =>
        ctx()
          .currentSecrets()
          .replace(/^BACKUP_KEY=.*$/m, `BACKUP_KEY=${key}`);
      const opens = (key: string) => {
        const repo = asLocalRepository(ctx().store);
        try {
          return localRestic(repo.dir, key, ["cat", "config"]).status === 0;
        } finally {
          repo.remove();
        }
      };
      const rotated = `SYSTEST-rotated-${crypto.randomBytes(24).toString("hex")}`;
      const r = applySecrets(host, withKey(rotated));
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /re-keyed/);
      assert.ok(opens(rotated), "the new key does not open the repository");
      assert.ok(!opens(BACKUP.key), "the old key still opens the repository");
      const backup = host.exec(["systemctl", "start", HOST.backupUnit], { timeoutMs: 600_000 });
      assert.strictEqual(backup.status, 0, backup.stderr);
      // And back: the restore test's server holds the first key.
      const back = applySecrets(host, withKey(BACKUP.key));
      assert.strictEqual(back.status, 0, back.stderr);
      assert.ok(opens(BACKUP.key) && !opens(rotated), "rotating back did not re-key");
      ctx().backedUp.snapshot = status().snapshot;
      ctx().backedUp.workspace = workspaceHashes(host);
    });

    it("went out through squid's backup port to the bucket's host only; the agent reaches neither the port nor the bucket [W15]", function () {
      const log = host.exec(["cat", "/var/log/squid/backup.log"]);
      assert.strictEqual(log.status, 0, log.stderr);
      const lines = log.stdout.trim().split("\n").filter(Boolean);
      assert.ok(lines.length > 0, "no backup traffic went through squid");
      for (const line of lines) assert.match(line, new RegExp(` CONNECT ${BACKUP_ENDPOINT}:443 `));
      const agentLog = host.exec(["cat", "/var/log/squid/access.log"]).stdout;
      assert.ok(!agentLog.includes(BACKUP_ENDPOINT), "backup traffic is in the agent's proxy log");
      // The agent: not the backup port, not the bucket directly, not through its own proxy.
      assert.notStrictEqual(agent(["tcp", "127.0.0.1", String(HOST.backupProxyPort)]).status, 0);
      assert.notStrictEqual(agent(["tcp", BACKUP_RECEIVER, "443"]).status, 0);
      const viaProxy = agent(["proxy", String(HOST.proxyPort), BACKUP_ENDPOINT, "443"]);
      assert.doesNotMatch(
        viaProxy.stdout,
        /connect=200/,
        "the agent's proxy tunnels to the bucket",
      );
    });

    it("the backup user reaches the bucket's host through its port, and nothing else, IPv4 or IPv6 [W15]", function () {
      const toBucket = asBackupUser([
        "proxy",
        String(HOST.backupProxyPort),
        BACKUP_ENDPOINT,
        "443",
      ]);
      assert.match(toBucket.stdout, /connect=200/, `${toBucket.stdout}\n${toBucket.stderr}`);
      const elsewhere = asBackupUser([
        "proxy",
        String(HOST.backupProxyPort),
        FORBIDDEN_HOST,
        "443",
      ]);
      assert.match(elsewhere.stdout, /connect=403/, "the backup port tunnels to another host");
      for (const [address, port] of [
        [BACKUP_RECEIVER, "443"],
        [NET.upstreamAllowed, "443"],
        [NET.upstreamAllowed6, "443"],
        ["127.0.0.1", String(HOST.proxyPort)],
        ["127.0.0.1", String(HOST.credentialGatewayPort)],
        ["::1", String(HOST.proxyPort)],
      ])
        assert.notStrictEqual(
          asBackupUser(["tcp", address, port]).status,
          0,
          `the backup user reaches ${address}:${port}`,
        );
    });
  });
}

/** What the restore test needs from the first host's run. */
export interface RestoreContext {
  readonly store: BucketStore;
  readonly figures: Record<string, unknown>;
  readonly backedUp: BackedUp;
  /** Stops the first host: one throwaway root runs at a time. */
  readonly stopFirstHost: () => Promise<void>;
}

export function describeRestore(ctx: () => RestoreContext): void {
  describe("restore: `clawkit:restoreFrom latest` on a second, fresh server [W16]", function () {
    let host: SystemHost;
    let bucket: { log: string; remove: () => void } | undefined;
    const first = testSecrets(1);
    const stateListing = () =>
      host.exec(["sh", "-c", `find ${HOST.stateDir} -printf '%P %s\\n' | sort`]).stdout;
    const gatewayActive = () =>
      host.exec(["systemctl", "is-active", "--quiet", HOST.gatewayUnit]).status === 0;

    before(async function () {
      assert.ok(ctx().backedUp.snapshot, "the first host made no backup to restore");
      await ctx().stopFirstHost();
      host = await bootClawkitHost();
      for (let i = 0; i < 120 && host.exec("test -e /run/cloud-init/result.json").status !== 0; i++)
        await sleep(1000);
      seedRuntime(host);
      await startResolver(host);
      bucket = await startFakeBucket(host, ctx().store);
      const p = provision(host, renderBundle(hostSettings({ "clawkit:restoreFrom": "latest" })));
      assert.strictEqual(p.status, 0, p.stderr);
    });
    after(async function () {
      await host?.stop();
      bucket?.remove();
    });

    it("a wrong key restores nothing and starts no gateway [W16]", function () {
      const before = stateListing();
      const r = applySecrets(host, testSecrets(1, 1, "WRONG-backup-key-0123456789abcdefghij").env);
      assert.notStrictEqual(r.status, 0, "secrets-apply succeeded with a wrong backup key");
      assert.match(r.stderr, /nothing restored/);
      assert.strictEqual(stateListing(), before, "the state changed");
      assert.ok(!gatewayActive(), "the gateway started");
      assert.notStrictEqual(host.exec(["test", "-e", HOST.secretsFile]).status, 0);
      assert.notStrictEqual(host.exec(["test", "-e", HOST.restoredStamp]).status, 0);
    });

    it("a changed byte in the bucket restores nothing and starts no gateway [W16]", function () {
      const objects = path.join(ctx().store.dir, "objects");
      const data = fs
        .readdirSync(objects)
        .filter((f) => decodeURIComponent(f).includes("/data/"))
        .map((f) => path.join(objects, f));
      assert.ok(data.length > 0, "the bucket holds no data object");
      const originals = data.map((f) => fs.readFileSync(f));
      try {
        for (const [i, f] of data.entries()) {
          const changed = Buffer.from(originals[i]);
          changed[Math.floor(changed.length / 2)] ^= 0x01;
          fs.writeFileSync(f, changed);
        }
        const before = stateListing();
        const r = applySecrets(host, first.env);
        assert.notStrictEqual(r.status, 0, "secrets-apply succeeded from a tampered bucket");
        assert.match(r.stderr, /nothing restored/);
        assert.strictEqual(stateListing(), before, "the state changed");
        assert.ok(!gatewayActive(), "the gateway started");
      } finally {
        for (const [i, f] of data.entries()) fs.writeFileSync(f, originals[i]);
      }
    });

    it("the right key: the same workspace, byte for byte, then the gateway starts healthy [W16]", function () {
      const start = Date.now();
      const r = applySecrets(host, first.env);
      ctx().figures.restoreSeconds = (Date.now() - start) / 1000;
      console.log(
        `      restore, then the gateway's first start to healthy: ${(ctx().figures.restoreSeconds as number).toFixed(1)} s`,
      );
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /restored the state from snapshot/);
      assert.deepStrictEqual(workspaceHashes(host), ctx().backedUp.workspace);
      const stamp = host.readFile(HOST.restoredStamp);
      assert.match(
        stamp,
        new RegExp(`^requested=latest snapshot=${ctx().backedUp.snapshot}[0-9a-f]* `),
      );
      assert.ok(gatewayActive(), "the gateway is not running");
      const owner = host.exec(["stat", "-c", "%a %U:%G", `${HOST.stateDir}/state`]).stdout.trim();
      assert.strictEqual(owner, `700 ${HOST.agentUser}:${HOST.agentUser}`);
    });

    it("applying the same secrets again restores nothing again [W16]", function () {
      const stamp = host.readFile(HOST.restoredStamp);
      const r = applySecrets(host, first.env);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /restored the state/);
      assert.strictEqual(host.readFile(HOST.restoredStamp), stamp);
    });
  });
}
