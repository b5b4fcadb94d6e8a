// npm run bench: measures and prints the kit's figures. Numbers live here, not in
// timed tests. Each figure says how it was measured; one that could not be measured
// is printed as MISSING and the run exits non-zero.
import * as fs from "fs";
import * as path from "path";
import { packBundle, renderBundle } from "../vps/host/bundle";
import { renderCredentialGatewayUnit } from "../vps/host/credential-gateway";
import { renderGatewayUnit } from "../vps/host/gateway-unit";
import { HOST } from "../vps/host/paths";
import { renderOpenclawConfig } from "../vps/host/openclaw-config";
import { renderUserData, USER_DATA_BUDGET } from "../vps/host/userdata";
import { sampleSettings, sampleUserDataOptions } from "../test/support/samples";
import { FigureTable, seconds, spread } from "./figures";
import {
  hasCommand,
  NODE24,
  OPENCLAW_CLI,
  ROOT,
  run,
  runOpenclaw,
  tempDir,
} from "../test/support/tools";

const table = new FigureTable();
const figure = table.figure.bind(table);

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const userData = renderUserData(sampleUserDataOptions());
figure(
  "user-data size",
  `${Buffer.byteLength(userData)} bytes (limit ${USER_DATA_BUDGET})`,
  "renderUserData, sample config",
);

const bundle = packBundle(renderBundle(sampleSettings()));
figure(
  "provisioning bundle",
  `${renderBundle(sampleSettings()).length} files, ${bundle.bytes} bytes gzip`,
  "packBundle, sample config",
);

const unitSeconds = timed(() => {
  const result = run(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
      "--config",
      path.join(ROOT, "test", "support", "mocharc.unit.json"),
    ],
    { cwd: ROOT },
  );
  if (result.status !== 0) throw new Error(`unit suite failed:\n${result.stdout}`);
});
figure("unit suite", `${unitSeconds.toFixed(1)} s`, "mocha test/unit, wall clock, one run");

const tmp = tempDir("bench");
try {
  for (const [name, render, label] of [
    [HOST.gatewayUnit, renderGatewayUnit, "gateway unit exposure"],
    [HOST.credentialGatewayUnit, renderCredentialGatewayUnit, "credential gateway unit exposure"],
  ] as const) {
    const unit = path.join(tmp.dir, name);
    fs.writeFileSync(unit, render());
    const analyzed = hasCommand("systemd-analyze")
      ? run("systemd-analyze", ["security", "--offline=true", "--no-pager", unit]).stdout
      : "";
    figure(
      label,
      /Overall exposure level for \S+: ([0-9.]+ \S+)/.exec(analyzed)?.[1],
      hasCommand("systemd-analyze")
        ? "systemd-analyze security --offline=true"
        : "systemd-analyze missing: sudo bash scripts/install-system-deps.sh",
    );
  }

  // bench.sh installed the pinned runtime; without it this figure is missing, loudly.
  const config = path.join(tmp.dir, "openclaw.json");
  fs.writeFileSync(config, renderOpenclawConfig(sampleSettings().openclaw), { mode: 0o640 });
  fs.mkdirSync(path.join(tmp.dir, "state"), { mode: 0o700 });
  let audit: { summary?: unknown; findings: { severity: string; checkId: string }[] } = {
    findings: [],
  };
  const auditSeconds = timed(() => {
    if (!fs.existsSync(NODE24) || !fs.existsSync(OPENCLAW_CLI)) return;
    const out = runOpenclaw(["security", "audit", "--json"], {
      PATH: "/usr/bin:/bin",
      HOME: tmp.dir,
      OPENCLAW_CONFIG_PATH: config,
      OPENCLAW_STATE_DIR: path.join(tmp.dir, "state"),
      OPENCLAW_CONFIG_READONLY: "1",
      OPENCLAW_GATEWAY_TOKEN: "T".repeat(64),
    }).stdout;
    audit = JSON.parse(out.slice(out.indexOf("{")));
  });
  const warns = audit.findings.filter((f) => f.severity === "warn").map((f) => f.checkId);
  figure(
    "openclaw security audit",
    audit.summary === undefined
      ? undefined
      : `${JSON.stringify(audit.summary)}; warn: ${warns.join(", ") || "none"}`,
    `openclaw 2026.9.6 under Node 24, sample config, ${auditSeconds.toFixed(1)} s`,
  );
} finally {
  tmp.remove();
}

// The library: what `npm pack` ships (its prepare step builds dist/), and the schema
// Pulumi's component analyzer gives every other language.
const packed = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts=false"], { cwd: ROOT });
const pack =
  packed.status === 0 ? JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")))[0] : undefined;
figure(
  "npm package",
  pack && `${pack.entryCount} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`,
  "npm pack --dry-run (builds dist/ first)",
);
let schema:
  { resources: Record<string, { inputProperties: object; properties: object }> } | undefined;
const schemaSeconds = timed(() => {
  const out = run(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "-e",
      `const { ComponentProvider } = require("@pulumi/pulumi/provider/experimental");
       const lib = require("./index.ts");
       new ComponentProvider({ components: [lib.VpsAgent, lib.MoltworkerAgent, lib.HostAgent], dirname: ".", name: "clawkit" })
         .getSchema().then((s) => process.stdout.write(s));`,
    ],
    { cwd: ROOT },
  );
  if (out.status === 0) schema = JSON.parse(out.stdout);
});
figure(
  "component schema",
  schema &&
    Object.entries(schema.resources)
      .map(
        ([token, r]) =>
          `${token}: ${Object.keys(r.inputProperties).length} inputs, ${Object.keys(r.properties).length} outputs`,
      )
      .join("; "),
  `Pulumi's component analyzer over the TypeScript source, ${schemaSeconds.toFixed(1)} s`,
);

// The policy pack over the kit's own graphs (built under the mocks, in a child so the
// mocks stay out of this process): every policy, as the analyzer calls them.
let policyRuns:
  ({ policies: number } & Record<string, { resources: number; ms: number[] }>) | undefined;
{
  const out = run(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "-e",
      `const g = require("./test/support/policy-graph.ts");
       require("./test/support/mocks.ts").installMocks().then(async () => {
         const result = { policies: require("./policy/policies.ts").POLICIES.length };
         for (const [name, graph] of [["vps", await g.buildVps()], ["moltworker", await g.buildMoltworker()]]) {
           const ms = [];
           for (let i = 0; i < 20; i++) {
             const start = process.hrtime.bigint();
             const found = await g.allViolations(graph);
             ms.push(Number(process.hrtime.bigint() - start) / 1e6);
             if (found.length > 0) throw new Error(found.join("\\n"));
           }
           result[name] = { resources: graph.length, ms };
         }
         process.stdout.write(JSON.stringify(result));
       });`,
    ],
    { cwd: ROOT },
  );
  if (out.status === 0) policyRuns = JSON.parse(out.stdout);
  else console.error(out.stderr);
}
figure(
  "policy pack evaluation",
  policyRuns &&
    ["vps", "moltworker"]
      .map(
        (shape) =>
          `${shape} (${policyRuns?.[shape]?.resources} resources): ${spread(policyRuns?.[shape]?.ms, "ms")}`,
      )
      .join("; "),
  `all ${policyRuns?.policies} policies of policy/ over the kit's mocked graph, called as @pulumi/policy's analyzer calls them, warm, 20 runs each`,
);

// The Pulumi CLI as up.sh installs it on a first run (download, sha256, unpack, version
// check), from a file server on loopback: a tarball of the real one's size, random so
// that gzip cannot shrink it. In a child, whose event loop serves while bash fetches.
let pulumiInstalls: { seconds: number[]; tarballBytes: number } | undefined;
{
  const out = run(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      "-e",
      `require("./test/support/pulumi-release.ts").timeFirstInstalls(3, 140e6)
         .then((r) => process.stdout.write(JSON.stringify(r)));`,
    ],
    { cwd: ROOT },
  );
  if (out.status === 0) pulumiInstalls = JSON.parse(out.stdout);
  else console.error(out.stderr);
}
figure(
  "Pulumi CLI first-run install from a local file server",
  pulumiInstalls &&
    `${spread(pulumiInstalls.seconds)}, a ${(pulumiInstalls.tarballBytes / 1e6).toFixed(0)} MB tarball`,
  "scripts/install-pulumi.sh over loopback, nothing installed before each run; the tarball random data, as incompressible as the real one's binaries",
);

// The system figures come from one run of the system layer (a throwaway root, booted),
// which repeats the timed faults for medians when CLAWKIT_SYSTEM_FIGURES is set.
if (process.argv.includes("--system")) {
  const figuresDir = tempDir("figures");
  const out = path.join(figuresDir.dir, "system.json");
  const result = run(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
      "--no-config",
      "--require",
      "ts-node/register/transpile-only",
      "--extension",
      "ts",
      "--timeout",
      "120000",
      "test/system/host.test.ts",
      "test/system/owned-host.test.ts",
    ],
    { cwd: ROOT, env: { ...process.env, CI: "true", CLAWKIT_SYSTEM_FIGURES: out } },
  );
  const f = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, "utf8")) : {};
  // owned-host.test.ts writes its own beside it.
  const ownedOut = out.replace(/\.json$/, "-owned.json");
  const owned = fs.existsSync(ownedOut) ? JSON.parse(fs.readFileSync(ownedOut, "utf8")) : {};
  // Figures from a run whose checks failed are not the kit's figures.
  if (result.status !== 0) {
    console.error(`system run failed:\n${result.stdout.slice(-3000)}`);
    table.missing.push("a passing system run");
  }
  figuresDir.remove();
  const how = "test/system/host.test.ts, one run";
  figure("throwaway root boot", seconds(f.bootSeconds), how);
  figure("provisioning (packages and runtime in place)", seconds(f.provisionSeconds), how);
  figure("gateway start to healthy with token", seconds(f.firstStartSeconds), how);
  figure(
    "back after SIGKILL, token accepted through serve",
    spread(f.restartAfterKillSeconds),
    "systemctl kill -s KILL, then one poller in the tailnet peer",
  );
  figure(
    "rotation, new token accepted through serve",
    spread(f.rotationSeconds),
    "clawkit-secrets-apply, then the tailnet peer",
  );
  figure(
    "credentials readable by the agent user",
    f.credentialsReadableByAgent,
    "every file, environment and command line, as the agent and from inside its unit",
  );
  figure(
    "model-key rotation, new key in use at the provider",
    spread(f.keyRotationSeconds),
    "clawkit-secrets-apply (credential gateway reload), then calls until the fake provider sees it",
  );
  figure(
    "gateway restarts during model-key rotations",
    f.gatewayRestartsDuringKeyRotation === undefined
      ? undefined
      : String(f.gatewayRestartsDuringKeyRotation),
    "the gateway's MainPID before and after",
  );
  for (const family of ["IPv4", "IPv6"]) {
    const open = f[`openPortsFromInternet${family}`];
    figure(
      `open TCP ports on the public ${family} address`,
      open === undefined ? undefined : `${open} of 65535`,
      "full connect scan from the internet peer",
    );
  }
  figure(
    "lockdown on (clawkit-lockdown on, as `pulumi up` runs it)",
    spread(f.lockdownOnSeconds),
    "firewall, squid, credential gateway, gateway stopped, serve removed",
  );
  figure(
    "lockdown off, gateway healthy with the same token",
    spread(f.lockdownOffSeconds),
    "the reverse, then clawkit-secrets-apply --check",
  );
  figure(
    "exposure check (what `pulumi up` runs)",
    seconds(f.exposureCheckSeconds),
    "vps/exposure-check.mjs under the kit's Node: public half from the internet peer, then tailnet half from the tailnet peer",
  );
  figure(
    "alert at the receiver after a blocked egress attempt",
    seconds(f.egressAlertSeconds),
    "the agent user tries a refused name through squid; a TLS receiver in the upstream peer",
  );
  figure(
    "alert at the receiver after a burst of wrong gateway tokens",
    seconds(f.authAlertSeconds),
    "six WebSocket logins with a wrong token, from the first attempt",
  );
  figure(
    "clawkit-posture --json",
    seconds(f.postureSeconds),
    "as root on the host (most of it openclaw's audit)",
  );
  figure(
    "backup of the test state (openclaw archive, restic to the fake bucket over TLS, prune)",
    seconds(f.backupSeconds),
    "systemctl start clawkit-backup on the first host",
  );
  figure(
    "restore onto a new server, then the gateway's first start to healthy",
    seconds(f.restoreSeconds),
    "clawkit-secrets-apply with restoreFrom latest on a second throwaway root",
  );
  figure(
    "a machine you own (host): stock Debian to a healthy gateway over SSH",
    seconds(owned.provisionSeconds),
    "test/system/owned-host.test.ts: preflight, record, provisioning and secrets from the tailnet peer",
  );
  figure(
    "a machine you own (host): pulumi destroy's removal",
    seconds(owned.teardownSeconds),
    "teardown.sh remove over SSH, the state kept",
  );
  figure("agent egress attempts blocked", f.egressBlocked, how);
  figure("audit on the running host", f.audit && JSON.stringify(f.audit), how);
  figure("unit IP sandbox (IPAddressDeny) enforced", f.ipSandbox, how);
} else figure("system figures", "skipped", "as root: npm run bench -- --system");

console.log(`\n${table.markdown()}`);
if (table.missing.length > 0) {
  console.error(
    `bench: ${table.missing.length} figure(s) could not be measured: ${table.missing.join(", ")}`,
  );
  process.exitCode = 1;
}
