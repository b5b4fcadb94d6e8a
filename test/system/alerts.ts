/**
 * The alert watcher on the running host (called from host.test.ts): a fake webhook
 * receiver over TLS in the upstream namespace, behind the harness's name
 * ALERT_HOST, gets what the watcher sends when the agent is refused egress and
 * when wrong tokens hit the gateway: one alert a kind a window, no secret in it.
 */
import * as assert from "assert";
import { ALERT_TIMING } from "../../vps/host/alerts";
import { HOST } from "../../vps/host/paths";
import { lockdownCommand } from "../../vps/hostLockdown";
import {
  addUpstreamAddress,
  ADMIN,
  ALERT_HOST,
  ALERT_RECEIVER,
  ALERT_WEBHOOK,
  CHECKOUT_IN_ROOT,
  FORBIDDEN_HOST,
  GATEWAY_PORT,
  PROBE_IN_ROOT,
  providerRequests,
  startTlsFake,
} from "./clawkitHost";
import { NET, sleep, SystemHost } from "./harness";

/** What the running host's tests know when these run. */
export interface AlertsContext {
  readonly host: SystemHost;
  /** Every secret the host holds now: none may be in an alert. */
  readonly secrets: readonly string[];
  /** Figures for the bench. */
  readonly figures: Record<string, unknown>;
}

/** Starts the receiver: a fake upstream over TLS on ALERT_RECEIVER:443, an address of its own. */
async function startReceiver(host: SystemHost): Promise<{ log: string; remove: () => void }> {
  addUpstreamAddress(host, ALERT_RECEIVER);
  return startTlsFake(host, {
    role: "alert-receiver",
    names: [ALERT_HOST],
    addresses: [ALERT_RECEIVER],
  });
}

export function describeAlerts(ctx: () => AlertsContext): void {
  describe("alerts: the watcher tells the operator once a window, through its own narrow path", function () {
    let host: SystemHost;
    let receiver: { log: string; remove: () => void };
    const webhookPath = new URL(ALERT_WEBHOOK).pathname;
    /** The alerts the receiver got, as the JSON the watcher posted. */
    const received = () =>
      providerRequests(receiver.log)
        .filter((r) => r.method === "POST" && r.url === webhookPath)
        .map((r) => JSON.parse((r as { body?: string }).body ?? "{}") as Record<string, string>);
    const alertsOf = (words: string) => received().filter((a) => a.text.includes(words));
    /** Waits (at most a minute) until FOUND() is true; the seconds it took. */
    const waitFor = async (found: () => boolean): Promise<number> => {
      const start = Date.now();
      while (!found() && Date.now() - start < 60_000) await sleep(250);
      return (Date.now() - start) / 1000;
    };
    /** Long enough for the watcher to have looked twice more. */
    const settle = () => sleep((2 * ALERT_TIMING.intervalSeconds + 2) * 1000);
    /** Wrong tokens at the gateway's WebSocket, from loopback (exempt from its lockout, so later tests keep their path). */
    const badTokenBurst = (n: number) => {
      for (let i = 0; i < n; i++) {
        host.exec(
          [
            HOST.nodeBinary,
            `${CHECKOUT_IN_ROOT}/test/support/gateway-ws.mjs`,
            `ws://127.0.0.1:${GATEWAY_PORT}`,
            "health",
          ],
          { input: `wrong-${i}`.padEnd(64, "w") },
        );
      }
    };
    const agent = (args: string[]) =>
      host.exec(["python3", PROBE_IN_ROOT, ...args], { user: HOST.agentUser });
    const assertNoSecret = (alert: Record<string, string>) => {
      const text = JSON.stringify(alert);
      for (const secret of [...ctx().secrets, ALERT_WEBHOOK, webhookPath])
        assert.ok(!text.includes(secret), "an alert carries a secret");
      assert.deepStrictEqual(Object.keys(alert).sort(), ["content", "message", "text"]);
      assert.strictEqual(alert.content, alert.text);
      assert.strictEqual(alert.message, alert.text);
    };

    before(async function () {
      host = ctx().host;
      receiver = await startReceiver(host);
      // A fresh window: what earlier tests set off has been sent (or not) already.
      const fresh = host.exec(
        `systemctl stop ${HOST.alertUnit} && find /var/lib/${HOST.alertUser} -mindepth 1 -delete && systemctl start ${HOST.alertUnit}`,
      );
      assert.strictEqual(fresh.status, 0, fresh.stderr);
      await sleep(2000);
    });
    after(() => receiver?.remove());

    it("the watcher runs as its own user; the webhook is in a file only that user reads, never in its unit, command line or environment [W9]", function () {
      const show = host
        .exec(["systemctl", "show", "-p", "User", "-p", "MainPID", "--value", HOST.alertUnit])
        .stdout.trim()
        .split("\n");
      assert.strictEqual(show[1], HOST.alertUser);
      const pid = show[0];
      for (const where of [`/proc/${pid}/environ`, `/proc/${pid}/cmdline`])
        assert.ok(!host.exec(["cat", where]).stdout.includes(webhookPath), where);
      assert.ok(!host.readFile(`/etc/systemd/system/${HOST.alertUnit}`).includes(webhookPath));
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", HOST.alertWebhookFile]).stdout.trim(),
        `root:${HOST.alertUser} 640`,
      );
      assert.strictEqual(
        host.exec(["stat", "-c", "%U:%G %a", HOST.alertProxyAcl]).stdout.trim(),
        "root:proxy 640",
      );
      assert.strictEqual(host.readFile(HOST.alertProxyAcl).trim(), ALERT_HOST);
      assert.notStrictEqual(
        host.exec(["cat", HOST.alertWebhookFile], { user: HOST.agentUser }).status,
        0,
        "the agent user reads the webhook",
      );
      const inJournal = host.exec(["python3", PROBE_IN_ROOT, "find", "journal"], {
        input: webhookPath,
      });
      assert.strictEqual(inJournal.stdout.trim(), "0", "the webhook is in the journal");
    });

    it("a blocked egress attempt by the agent user makes one alert at the receiver, and a second within the window none [W8]", async function () {
      const start = Date.now();
      assert.strictEqual(
        agent(["proxy", String(HOST.proxyPort), FORBIDDEN_HOST, "443"]).stdout.trim(),
        "connect=403",
      );
      assert.notStrictEqual(agent(["tcp", NET.upstreamForbidden, "443"]).status, 0);
      await waitFor(() => alertsOf("egress blocked").length > 0);
      const seconds = (Date.now() - start) / 1000;
      ctx().figures.egressAlertSeconds = seconds;
      console.log(`      blocked attempt to alert at the receiver: ${seconds.toFixed(1)} s`);
      // Whether the kernel's log of the firewall's refusal reaches this root's journal.
      const kernel = host.exec(
        "journalctl -k --since -5min -o cat | grep -cF '[clawkit agent egress]' || true",
      );
      console.log(
        `      kernel log lines of the firewall's refusals in this root's journal: ${kernel.stdout.trim()} (the proxy's refusals are counted either way)`,
      );
      await settle();
      agent(["proxy", String(HOST.proxyPort), FORBIDDEN_HOST, "443"]);
      await settle();
      const alerts = alertsOf("egress blocked");
      assert.strictEqual(alerts.length, 1, JSON.stringify(received()));
      assertNoSecret(alerts[0]);
      assert.match(alerts[0].text, /^clawkit \S+: agent egress blocked \d+ time\(s\)/);
    });

    it("a burst of wrong gateway tokens makes one alert; a second burst within the window none [W8]", async function () {
      const start = Date.now();
      badTokenBurst(ALERT_TIMING.authFailures + 1);
      await waitFor(() => alertsOf("gateway login refused").length > 0);
      const seconds = (Date.now() - start) / 1000;
      ctx().figures.authAlertSeconds = seconds;
      console.log(`      burst of wrong tokens to alert at the receiver: ${seconds.toFixed(1)} s`);
      assert.strictEqual(alertsOf("gateway login refused").length, 1);
      badTokenBurst(ALERT_TIMING.authFailures + 1);
      await settle();
      const alerts = alertsOf("gateway login refused");
      assert.strictEqual(alerts.length, 1, JSON.stringify(received()));
      assertNoSecret(alerts[0]);
      const held = host.exec(`cat /var/lib/${HOST.alertUser}/auth.held`).stdout.trim();
      assert.ok(Number(held) >= 1, "the second burst was not counted as held back");
    });

    it("a lockdown switched on and off makes one alert each: the alert path stays open while the agent's are shut [W8, W9]", async function () {
      const lockdownSwitch = (on: boolean) =>
        host.exec(["runuser", "-u", ADMIN, "--", "sh", "-c", lockdownCommand(on)], {
          timeoutMs: 300_000,
        });
      const on = lockdownSwitch(true);
      assert.strictEqual(on.status, 0, on.stderr);
      try {
        await waitFor(() => alertsOf("lockdown on").length > 0);
        assert.strictEqual(alertsOf("lockdown on").length, 1, JSON.stringify(received()));
        assertNoSecret(alertsOf("lockdown on")[0]);
      } finally {
        const off = lockdownSwitch(false);
        assert.strictEqual(off.status, 0, `${off.stdout}\n${off.stderr}`);
      }
      await waitFor(() => alertsOf("lockdown off").length > 0);
      assert.strictEqual(alertsOf("lockdown off").length, 1, JSON.stringify(received()));
    });

    it("a failed backup makes one alert, naming no secret [W17]", async function () {
      const key = `${HOST.backupSecretsDir}/repository-key`;
      // No key on the host: the backup cannot run, and says so.
      const moved = host.exec(["mv", key, `${key}.aside`]);
      assert.strictEqual(moved.status, 0, moved.stderr);
      try {
        const r = host.exec(["systemctl", "start", HOST.backupUnit], { timeoutMs: 120_000 });
        assert.notStrictEqual(r.status, 0, "a backup without its key succeeded");
      } finally {
        const back = host.exec(["mv", `${key}.aside`, key]);
        assert.strictEqual(back.status, 0, back.stderr);
      }
      assert.match(host.readFile(HOST.backupStatusFile), / result=failed /);
      await waitFor(() => alertsOf("backup failed").length > 0);
      const alerts = alertsOf("backup failed");
      assert.strictEqual(alerts.length, 1, JSON.stringify(received()));
      assertNoSecret(alerts[0]);
      assert.match(alerts[0].text, /^clawkit \S+: backup failed 1 time\(s\)/);
      // The unit's failure is cleared, so it runs again by its timer.
      host.exec(["systemctl", "reset-failed", HOST.backupUnit]);
    });

    it("every alert went out through squid's alert port, to the webhook's host only [W9]", function () {
      const log = host.exec("cat /var/log/squid/alert.log").stdout.trim().split("\n");
      assert.ok(log.length >= 2, log.join("\n"));
      for (const line of log) assert.match(line, new RegExp(` CONNECT ${ALERT_HOST}:443 `));
    });

    it("the agent user reaches neither the alert port nor the alert relay, directly or through its proxy [W9]", function () {
      for (const port of [HOST.alertProxyPort, HOST.alertRelayPort]) {
        const r = agent(["tcp", "127.0.0.1", String(port)]);
        assert.notStrictEqual(r.status, 0, `the agent reached 127.0.0.1:${port}`);
      }
      assert.strictEqual(
        agent(["proxy", String(HOST.proxyPort), ALERT_HOST, "443"]).stdout.trim(),
        "connect=403",
      );
      // Root reaches the alert port: something is there to refuse.
      assert.strictEqual(
        host.exec(["python3", PROBE_IN_ROOT, "tcp", "127.0.0.1", String(HOST.alertProxyPort)])
          .status,
        0,
      );
    });

    it("clawkit-posture reports the firewall, listeners, versions, lockdown and the day's counts, with no secret; root only [W10]", function () {
      const start = Date.now();
      const r = host.exec(["/usr/local/sbin/clawkit-posture", "--json"], { timeoutMs: 240_000 });
      ctx().figures.postureSeconds = (Date.now() - start) / 1000;
      assert.strictEqual(r.status, 0, r.stderr);
      for (const secret of [...ctx().secrets, webhookPath])
        assert.ok(!r.stdout.includes(secret), "the posture report carries a secret");
      const report = JSON.parse(r.stdout);
      console.log(`      posture: ${r.stdout.trim()}`);
      assert.deepStrictEqual(report.firewall, {
        active: true,
        agentRules: { ipv4: true, ipv6: true },
      });
      assert.ok(
        report.listeners.some(
          (l: { proto: string; address: string; port: number; program: string }) =>
            l.proto === "tcp" &&
            l.address === "127.0.0.1" &&
            l.port === HOST.alertProxyPort &&
            l.program === "squid",
        ),
        JSON.stringify(report.listeners),
      );
      assert.ok(
        report.gatewayExposure > 0 && report.gatewayExposure <= 2,
        String(report.gatewayExposure),
      );
      assert.strictEqual(report.openclawAudit.critical, 0);
      assert.match(report.versions.node, /^v2\d\./);
      assert.match(report.versions.openclaw, /^\d{4}\.\d+\.\d+/);
      assert.match(report.secretsRotated, /^\d{4}-\d\d-\d\dT/);
      assert.strictEqual(report.lockdown, false);
      assert.ok(report.last24h.egressBlocked.proxy >= 2, JSON.stringify(report.last24h));
      assert.ok(report.last24h.authFailures >= 2 * (ALERT_TIMING.authFailures + 1));
      assert.ok(report.last24h.gatewayStarts >= 1);
      const human = host.exec(["/usr/local/sbin/clawkit-posture"], { timeoutMs: 240_000 });
      assert.match(human.stdout, /^firewall: active; agent egress rules IPv4 true, IPv6 true$/m);
      const asAgent = host.exec(["/usr/local/sbin/clawkit-posture", "--json"], {
        user: HOST.agentUser,
      });
      assert.notStrictEqual(asAgent.status, 0);
    });
  });
}
