import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderExecApprovals } from "../../vps/host/exec-approvals";
import { CREDENTIAL_PLACEHOLDER } from "../../vps/host/credential-gateway";
import { renderOpenclawConfig } from "../../vps/host/openclaw-config";
import { DEFAULT_MODELS } from "../../core/rules";
import { readTap, stageCredentialGateway, TapLine } from "../support/credential-gateway";
import { sampleSettings } from "../support/samples";
import {
  command,
  file,
  NODE24,
  OPENCLAW_CLI,
  inPrivateNamespaces,
  requirePrerequisites,
  rootUser,
  tempDir,
} from "../support/tools";

/** The model key the credential gateway holds in this test; openclaw never sees it. */
const REAL_KEY = "sk-ant-api03-REAL-KEY-TESTONLY";

/** What the fake model was sent: the credential headers, the tools offered and each tool result so far. */
interface ModelRequest {
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly apiKey?: string;
  readonly authorization?: string;
  readonly beta?: string;
  readonly tools: string[];
  readonly results: string[];
}

/** One agent turn's record: what exec returned, what the model and the credential gateway saw. */
interface Turn {
  readonly offered: string[];
  readonly results: string[];
  readonly requests: ModelRequest[];
  readonly tap: TapLine[];
}

/**
 * Runs one agent turn in which the fake model asks exec to run each command, against
 * the pinned openclaw with the rendered config and approvals, unchanged: the model is
 * reached through the credential gateway (rendered nginx.conf, real nginx) over TLS,
 * as api.anthropic.com. Returns the results exec gave back, in order, and what the
 * model and the credential gateway saw.
 */
function agentTurn(commands: string[], allowlist: string[]): Turn {
  const tmp = tempDir("agent-exec");
  try {
    // No Telegram: without its token the channel holds the gateway short of "ready".
    const settings = sampleSettings({
      execAllowlist: allowlist,
      telegramAllowFrom: undefined,
      model: DEFAULT_MODELS.anthropic,
    });
    fs.writeFileSync(path.join(tmp.dir, "openclaw.json"), renderOpenclawConfig(settings.openclaw), {
      mode: 0o640,
    });
    stageCredentialGateway(tmp.dir, { anthropic: REAL_KEY });
    fs.writeFileSync(
      path.join(tmp.dir, "exec-approvals.json"),
      renderExecApprovals({ execSecurity: "allowlist", execAllowlist: allowlist }),
    );
    const r = inPrivateNamespaces("agent-turn.sh", [tmp.dir], {
      env: {
        PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
        FAKE_COMMANDS: JSON.stringify(commands),
        FAKE_PORT: "443",
      },
      timeout: 240_000,
    });
    const read = (name: string) =>
      fs.existsSync(path.join(tmp.dir, name))
        ? fs.readFileSync(path.join(tmp.dir, name), "utf8")
        : "";
    assert.strictEqual(
      r.status,
      0,
      `${r.stderr}\n${read("gateway.out").slice(-3000)}\n${read("credgw.out").slice(-2000)}`,
    );
    const requests = read("model.log")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ModelRequest);
    // The turn's last call to the model is the one with every tool result so far;
    // openclaw may make a call of its own after it (a title, with no tools), in any order.
    const turnCalls = requests.filter((q) => q.tools.includes("exec"));
    const last = turnCalls[turnCalls.length - 1];
    assert.ok(last, `the model was never asked with exec offered:\n${read("agent.out")}`);
    return { offered: last.tools, results: last.results, requests, tap: readTap(tmp.dir) };
  } finally {
    tmp.remove();
  }
}

describe("artifacts: exec and the model key through a real agent turn (pinned openclaw, rendered config, credential gateway, fake model over TLS)", function () {
  this.timeout(300_000);
  before(function () {
    requirePrerequisites(
      this,
      rootUser(),
      command("unshare"),
      command("ip"),
      file("Node 24", NODE24, "run scripts/install-node-deps.sh"),
      file("openclaw", OPENCLAW_CLI, "run scripts/install-node-deps.sh"),
      command("openssl"),
      file("nginx", "/usr/sbin/nginx", "run .ci/run (it installs every test tool)"),
    );
  });

  let turn: Turn;
  before(function () {
    turn = agentTurn(
      ["/usr/bin/date -u", "/usr/bin/id", "date | wc -l", "echo $ANTHROPIC_API_KEY"],
      ["date"],
    );
  });

  it("runs what the allowlist names and denies everything else, without asking [A1]", function () {
    const { offered, results } = turn;
    assert.ok(offered.includes("exec"), `exec was not offered: ${offered.join(",")}`);
    assert.strictEqual(results.length, 4, results.join("\n"));
    assert.match(results[0], /\d{2}:\d{2}:\d{2} UTC \d{4}/, "the allowlisted program did not run");
    for (const denied of results.slice(1)) {
      assert.match(denied, /exec denied/, `ran: ${denied}`);
      assert.doesNotMatch(denied, /approval|sk-ant/);
    }
  });

  it("the model sees the real key, sent by the credential gateway; openclaw sent only the placeholder [S4]", function () {
    const { requests, tap } = turn;
    assert.ok(requests.length >= 2, "the turn took fewer than two model calls");
    for (const q of requests) {
      assert.strictEqual(q.method, "POST");
      assert.strictEqual(q.url, "/v1/messages");
      assert.strictEqual(q.host, "api.anthropic.com");
      assert.strictEqual(q.apiKey, REAL_KEY);
      assert.strictEqual(q.authorization, undefined, "an Authorization header reached the model");
      assert.match(q.beta ?? "", /interleaved-thinking-2025-05-14/);
    }
    assert.strictEqual(tap.length, requests.length, "a model call bypassed the credential gateway");
    // Every call went through the credential gateway to the one path on its list, with the placeholder.
    for (const line of tap) {
      assert.deepStrictEqual(
        [line.method, line.uri, line.status],
        ["POST", "/anthropic/v1/messages", 200],
      );
      assert.strictEqual(line.apiKey, CREDENTIAL_PLACEHOLDER);
    }
  });
});
