import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderExecApprovals } from "../../cloud-init/exec-approvals";
import { renderOpenclawConfig } from "../../cloud-init/openclaw-config";
import { DEFAULTS } from "../../stacks/config";
import { sampleSettings } from "../support/samples";
import {
  command,
  file,
  NODE24,
  OPENCLAW_CLI,
  requirePrerequisites,
  rootUser,
  ROOT,
  run,
  tempDir,
} from "../support/tools";

const FAKE_MODEL_PORT = 18999;

/** What the fake model was sent: the tools offered and each tool result so far. */
interface ModelRequest {
  readonly url: string;
  readonly tools: string[];
  readonly results: string[];
}

/**
 * Runs one agent turn in which the fake model asks exec to run each command, against
 * the pinned openclaw with the rendered config and approvals (the model's address is
 * the only change), and returns the results exec gave back, in order.
 */
function execResults(
  commands: string[],
  allowlist: string[],
): { offered: string[]; results: string[] } {
  const tmp = tempDir("agent-exec");
  try {
    // No Telegram: without its token the channel holds the gateway short of "ready".
    const settings = sampleSettings({
      execAllowlist: allowlist,
      telegramAllowFrom: undefined,
      model: DEFAULTS.anthropicModel,
    });
    const config = JSON.parse(renderOpenclawConfig(settings.openclaw));
    config.models.providers = { anthropic: { baseUrl: `http://127.0.0.1:${FAKE_MODEL_PORT}` } };
    fs.writeFileSync(path.join(tmp.dir, "openclaw.json"), JSON.stringify(config), { mode: 0o640 });
    fs.writeFileSync(
      path.join(tmp.dir, "exec-approvals.json"),
      renderExecApprovals({ execSecurity: "allowlist", execAllowlist: allowlist }),
    );
    const r = run(
      "unshare",
      [
        "--mount",
        "--net",
        // Every process of the turn dies with it, even when the test times out.
        "--pid",
        "--fork",
        "--mount-proc",
        "--propagation",
        "private",
        "sh",
        path.join(ROOT, "test", "support", "agent-turn.sh"),
        tmp.dir,
      ],
      {
        env: {
          PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
          FAKE_COMMANDS: JSON.stringify(commands),
          FAKE_PORT: String(FAKE_MODEL_PORT),
        },
        timeout: 240_000,
      },
    );
    const read = (name: string) =>
      fs.existsSync(path.join(tmp.dir, name))
        ? fs.readFileSync(path.join(tmp.dir, name), "utf8")
        : "";
    assert.strictEqual(r.status, 0, `${r.stderr}\n${read("gateway.out").slice(-3000)}`);
    const requests = read("model.log")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ModelRequest)
      .filter((q) => q.url.includes("/messages"));
    const last = requests[requests.length - 1];
    assert.ok(last, `the model was never asked:\n${read("agent.out")}`);
    return { offered: requests[0].tools, results: last.results };
  } finally {
    tmp.remove();
  }
}

describe("artifacts: exec through a real agent turn (pinned openclaw, rendered config, fake model)", function () {
  this.timeout(300_000);
  before(function () {
    requirePrerequisites(
      this,
      rootUser(),
      command("unshare"),
      command("ip"),
      file("Node 24", NODE24, "run scripts/install-node-deps.sh"),
      file("openclaw", OPENCLAW_CLI, "run scripts/install-node-deps.sh"),
    );
  });

  it("runs what the allowlist names and denies everything else, without asking", function () {
    const { offered, results } = execResults(
      ["/usr/bin/date -u", "/usr/bin/id", "date | wc -l", "echo $ANTHROPIC_API_KEY"],
      ["date"],
    );
    assert.ok(offered.includes("exec"), `exec was not offered: ${offered.join(",")}`);
    assert.strictEqual(results.length, 4, results.join("\n"));
    assert.match(results[0], /\d{2}:\d{2}:\d{2} UTC \d{4}/, "the allowlisted program did not run");
    for (const denied of results.slice(1)) {
      assert.match(denied, /exec denied/, `ran: ${denied}`);
      assert.doesNotMatch(denied, /approval|sk-ant/);
    }
  });
});
