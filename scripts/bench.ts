// npm run bench: measures and prints the kit's figures. Numbers live here, not in
// timed tests. Each figure says how it was measured; a missing tool prints "n/a".
import * as fs from "fs";
import * as path from "path";
import { packBundle, renderBundle } from "../cloud-init/bundle";
import { renderGatewayUnit } from "../cloud-init/gateway-unit";
import { renderOpenclawConfig } from "../cloud-init/openclaw-config";
import { renderUserData } from "../cloud-init/userdata";
import { sampleSettings, sampleUserDataOptions } from "../test/support/samples";
import {
  hasCommand,
  NODE24,
  OPENCLAW_CLI,
  ROOT,
  run,
  runOpenclaw,
  tempDir,
} from "../test/support/tools";

const rows: [string, string, string][] = [];
const figure = (name: string, value: string, how: string) => {
  rows.push([name, value, how]);
  console.log(`${name}: ${value}   (${how})`);
};

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const userData = renderUserData(sampleUserDataOptions());
figure(
  "user-data size",
  `${Buffer.byteLength(userData)} bytes (limit 16384)`,
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
  if (hasCommand("systemd-analyze")) {
    const unit = path.join(tmp.dir, "openclaw-gateway.service");
    fs.writeFileSync(unit, renderGatewayUnit());
    const out = run("systemd-analyze", ["security", "--offline=true", "--no-pager", unit]).stdout;
    figure(
      "gateway unit exposure",
      /Overall exposure level for \S+: ([0-9.]+ \S+)/.exec(out)?.[1] ?? "n/a",
      "systemd-analyze security --offline=true",
    );
  } else figure("gateway unit exposure", "n/a", "systemd-analyze missing");

  if (fs.existsSync(NODE24) && fs.existsSync(OPENCLAW_CLI)) {
    const config = path.join(tmp.dir, "openclaw.json");
    fs.writeFileSync(config, renderOpenclawConfig(sampleSettings().openclaw), { mode: 0o640 });
    fs.mkdirSync(path.join(tmp.dir, "state"), { mode: 0o700 });
    let audit = { summary: {}, findings: [] as { severity: string; checkId: string }[] };
    const seconds = timed(() => {
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
      `${JSON.stringify(audit.summary)}; warn: ${warns.join(", ") || "none"}`,
      `openclaw 2026.9.6 under Node 24, sample config, ${seconds.toFixed(1)} s`,
    );
  } else
    figure(
      "openclaw security audit",
      "n/a",
      "pinned runtime not installed: scripts/install-node-deps.sh",
    );
} finally {
  tmp.remove();
}

// The system figures come from one run of the system layer (a throwaway root, booted).
if (process.getuid?.() === 0 && process.argv.includes("--system")) {
  const figuresDir = tempDir("figures");
  const out = path.join(figuresDir.dir, "system.json");
  const result = run(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
      "--config",
      path.join(ROOT, "test", "support", "mocharc.unit.json"),
      "--spec",
      "test/system/host.test.ts",
    ],
    { cwd: ROOT, env: { ...process.env, CLAWKIT_SYSTEM_FIGURES: out } },
  );
  if (fs.existsSync(out)) {
    const f = JSON.parse(fs.readFileSync(out, "utf8"));
    const how = "test/system/host.test.ts, one run";
    figure("throwaway root boot", `${f.bootSeconds?.toFixed?.(1)} s`, how);
    figure("provisioning (warm package cache)", `${f.provisionSeconds?.toFixed?.(1)} s`, how);
    figure("gateway start to healthy with token", `${f.firstStartSeconds?.toFixed?.(1)} s`, how);
    figure("back healthy after SIGKILL", `${f.restartAfterKillSeconds?.toFixed?.(1)} s`, how);
    figure("rotation (new token accepted)", `${f.rotationSeconds?.toFixed?.(1)} s`, how);
    figure(
      "open TCP ports from the internet peer",
      String(f.openPortsFromInternet),
      "full connect scan 1-65535",
    );
    figure("agent egress attempts blocked", String(f.egressBlocked), how);
    figure("audit on the running host", JSON.stringify(f.audit), how);
  } else figure("system figures", "n/a", `system run failed:\n${result.stdout.slice(-2000)}`);
  figuresDir.remove();
} else figure("system figures", "skipped", "run as root with --system: npm run bench -- --system");

console.log("\n| figure | value | how |\n|---|---|---|");
for (const [name, value, how] of rows) console.log(`| ${name} | ${value} | ${how} |`);
