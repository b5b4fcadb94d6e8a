import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { Target } from "../../core/config";
import { parseAgents } from "../../program/agents";
import { parseConfig } from "../../program/stackConfig";
import { CONFIG_REFERENCE } from "../../program/configReference";
import {
  baseConfig,
  hostConfig,
  moltworkerConfig,
  SECRET_KEYS,
  sourceOf,
  tailnetJoinConfig,
} from "../support/config";
import { SAMPLE_HOST_KEY } from "../support/mocks";
import {
  DOC_FIGURES,
  DocFigure,
  figureProblems,
  MAX_UNIT_EXPOSURE,
  readDocs,
} from "../support/doc-figures";
import {
  DOCUMENTATION_ONLY,
  listTests,
  quotedTitleProblems,
  rowIdProblems,
  TestTitle,
  threatRows,
  unknownIdProblems,
  uncheckedRowProblems,
} from "../support/threat-map";
import { ROOT } from "../support/tools";

/** The keys parseConfig asks for, by running it on a full configuration of a shape. */
function keysRead(values: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const source = sourceOf(values);
  parseAgents({ ...source, get: (key) => (read.add(key), source.get(key)) }, "dev");
  return read;
}

const FULL: Record<Target, Record<string, string>> = {
  vps: { ...baseConfig(), "clawkit:openaiApiKey": "sk-proj-x" },
  moltworker: { ...moltworkerConfig(), "clawkit:openaiApiKey": "sk-proj-x" },
  // A host stack the kit joins to the tailnet reads the most keys.
  host: {
    ...hostConfig(),
    ...tailnetJoinConfig(SAMPLE_HOST_KEY),
    "clawkit:openaiApiKey": "sk-proj-x",
  },
};

describe("docs: the config reference, Pulumi.yaml and the README agree with the code", function () {
  const reference = new Map(CONFIG_REFERENCE.map((k) => [k.key, k]));

  for (const shape of ["vps", "moltworker", "host"] as const) {
    it(`the reference lists exactly the keys the ${shape} shape reads`, function () {
      const read = [...keysRead(FULL[shape])].sort();
      const listed = CONFIG_REFERENCE.filter((k) => k.shapes.includes(shape))
        .map((k) => k.key)
        .filter((k) => k !== "tailscale:oauthClientId")
        .sort();
      assert.deepStrictEqual(read, listed);
    });
  }

  it("the reference marks secret exactly the keys the program requires to be secret", function () {
    const secret = CONFIG_REFERENCE.filter((k) => k.secret)
      .map((k) => k.key)
      .sort();
    assert.deepStrictEqual(secret, [...SECRET_KEYS].sort());
  });

  it("the README's table has one row per key, with its default and secret flag", function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const key of CONFIG_REFERENCE) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${key.key}\` |`));
      assert.ok(row, `README has no row for ${key.key}`);
      const cells = row.split("|").map((c) => c.trim());
      assert.strictEqual(
        cells[2].replace(/&lt;/g, "<").replace(/&gt;/g, ">"),
        key.default,
        `${key.key} default`,
      );
      assert.strictEqual(cells[3], key.secret ? "yes" : "no", `${key.key} secret`);
      assert.strictEqual(cells[4], key.shapes.join(", "), `${key.key} shapes`);
    }
  });

  it("Pulumi.yaml declares only known keys, with the defaults the code applies, and no secret default", function () {
    const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { default?: unknown; type: string }>;
    };
    const parsed = {
      ...(parseConfig(sourceOf(moltworkerConfig()), "dev") as unknown as Record<string, unknown>),
      ...(parseConfig(sourceOf(baseConfig()), "dev") as unknown as Record<string, unknown>),
    };
    for (const [key, schema] of Object.entries(project.config)) {
      const entry = reference.get(key);
      assert.ok(entry, `Pulumi.yaml declares ${key}, which the code does not read`);
      assert.ok(
        !entry.secret || schema.default === undefined,
        `${key} is secret and must not have a default`,
      );
      if (schema.default !== undefined) {
        assert.deepStrictEqual(
          schema.default,
          parsed[key.replace("clawkit:", "")],
          `${key} default`,
        );
      }
    }
  });

  it("Pulumi.yaml declares a key only with a default (Pulumi requires every other declared key on every stack), and names every other key", function () {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    const project = yaml.load(text) as { config: Record<string, { default?: unknown }> };
    for (const [key, schema] of Object.entries(project.config))
      assert.ok(schema.default !== undefined, `Pulumi.yaml declares ${key} with no default`);
    const comments = text
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .join("\n");
    for (const { key } of CONFIG_REFERENCE)
      assert.ok(
        key in project.config || new RegExp(`${key}\\b`).test(comments),
        `Pulumi.yaml neither declares nor names ${key}`,
      );
  });

  it("every file the threat map and the README's layout name exists", function () {
    const named = new Set<string>();
    for (const doc of ["docs/threat-model.md", "README.md"]) {
      const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
      for (const m of text.matchAll(
        /`((?:core|vps|moltworker|owned|program|policy|scripts|test|docs)\/[\w./-]+)`/g,
      ))
        named.add(m[1].replace(/\/$/, ""));
    }
    assert.ok(named.size > 20, `only ${named.size} paths found`);
    for (const file of named) {
      // `vps/host/files/apt-*.conf` style names: at least one file matches.
      const [dir, pattern] = [path.dirname(file), path.basename(file)];
      const re = new RegExp(`^${pattern.replace(/[.+]/g, "\\$&").replace(/\*/g, ".*")}$`);
      const present =
        fs.existsSync(path.join(ROOT, dir)) &&
        fs.readdirSync(path.join(ROOT, dir)).some((f) => re.test(f));
      assert.ok(present, `${file} is named in the docs but does not exist`);
    }
  });

  it("the README's runbooks: rotation, teardown, and an incident runbook for each shape that starts with the lockdown [W11, M13]", function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    // A runbook runs from its heading to the next heading of its level or above.
    const runbook = (heading: string): string => {
      const start = readme.indexOf(`\n### ${heading}`);
      assert.ok(start >= 0, `README has no runbook "### ${heading}…"`);
      const end = readme.slice(start + 1).search(/\n##? /);
      return end < 0 ? readme.slice(start) : readme.slice(start, start + 1 + end);
    };
    const rotate = runbook("Rotate a secret");
    assert.match(rotate, /pulumi config set --secret clawkit:/);
    assert.match(rotate, /clawkit:tokenRotation/);
    assert.match(runbook("Tear down"), /pulumi destroy/);
    const incident = runbook("Incident: ");
    for (const shape of ["vps", "moltworker"]) {
      const part = incident.split(/\nOn (?:vps|moltworker):\n/)[shape === "vps" ? 1 : 2];
      assert.ok(part, `the incident runbook has no "On ${shape}:" part`);
      assert.match(part, /^\s*1\. Lock it down:[\s\S]*?clawkit:lockdown true/, `${shape}: step 1`);
      assert.match(part, /^2\. Rotate/m, `${shape}: step 2 rotates`);
    }
    const moltworker = incident.split("\nOn moltworker:\n")[1];
    assert.match(moltworker, /wrangler delete/);
    assert.match(moltworker, /clawkit:bucketOnDestroy export/);
  });

  it("the README's stack outputs are the ones program/main.ts exports", function () {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const index = fs.readFileSync(path.join(ROOT, "program", "main.ts"), "utf8");
    const exported = [...index.matchAll(/^export const (\w+)/gm)].map((m) => m[1]);
    assert.ok(exported.length >= 4);
    for (const name of exported)
      assert.ok(readme.includes(`\`${name}\``), `README does not mention output ${name}`);
  });
});

describe("docs: each row of the threat map is checked by tests that carry its id", function () {
  const map = fs.readFileSync(path.join(ROOT, "docs", "threat-model.md"), "utf8");
  const rows = threatRows(map);
  let tests: TestTitle[];
  before(function () {
    tests = listTests();
  });

  it("every row has an id, and no two rows the same", function () {
    assert.ok(rows.length >= 50, `only ${rows.length} rows found`);
    assert.deepStrictEqual(rowIdProblems(rows), []);
  });

  it(`every row's id is carried by a test's title, or the row says "${DOCUMENTATION_ONLY}"`, function () {
    assert.ok(tests.length >= 400, `mocha listed only ${tests.length} tests`);
    assert.deepStrictEqual(uncheckedRowProblems(rows, tests), []);
  });

  it("every id a test's title carries is a row of the map", function () {
    assert.deepStrictEqual(unknownIdProblems(rows, tests), []);
  });

  it("every test a row quotes exists and carries the row's id", function () {
    assert.deepStrictEqual(quotedTitleProblems(rows, tests), []);
  });

  it("the checks have teeth: a planted row or title that breaks each rule is caught", function () {
    const planted = threatRows(
      [
        "| id | risk | control | where | checked by |",
        "|---|---|---|---|---|",
        '| X1 | a | b | c | unit: "the first planted test title" |',
        '| X1 | a | b | c | unit: "a planted title no test has" |',
        "| Y | a | b | c | unit |",
        "| X2 | a | b | c | unit: nothing carries it |",
        `| X3 | a | b | c | ${DOCUMENTATION_ONLY}: README |`,
        `| X4 | a | b | c | ${DOCUMENTATION_ONLY}: README |`,
      ].join("\n"),
    );
    const planting = (title: string, describe = "planted:") => ({
      title,
      fullTitle: `${describe} ${title}`,
    });
    const titles = [
      planting("the first planted test title"),
      planting("the second planted test title [X1]"),
      planting("a third [X3, Z9]", "planted [X1]:"),
    ];
    assert.deepStrictEqual(rowIdProblems(planted), [
      "line 4: X1 is another row's id too",
      'line 5: "Y" is not a row id (a letter and a number, e.g. R1)',
    ]);
    assert.deepStrictEqual(uncheckedRowProblems(planted, titles), [
      `Y: no test title carries [Y], and the row does not say "${DOCUMENTATION_ONLY}"`,
      `X2: no test title carries [X2], and the row does not say "${DOCUMENTATION_ONLY}"`,
      `X3: says "${DOCUMENTATION_ONLY}", but "planted [X1]: a third [X3, Z9]" carries it`,
    ]);
    assert.deepStrictEqual(unknownIdProblems(planted, titles), [
      '"planted [X1]: a third [X3, Z9]" carries [Z9], which is no row of the threat map',
    ]);
    assert.deepStrictEqual(quotedTitleProblems(planted, titles), [
      'X1 quotes "planted: the first planted test title", which does not carry [X1]',
      'X1 quotes a test that does not exist: "a planted title no test has"',
    ]);
  });

  it("every figure the README and the threat map state agrees with the code and the tests", async function () {
    assert.deepStrictEqual(await figureProblems(readDocs(), tests), []);
  });

  it("the figure check has teeth: a planted disagreement in either document is caught", async function () {
    const docs = readDocs();
    const byName = (name: string): DocFigure => {
      const figure = DOC_FIGURES.find((f) => f.name === name);
      assert.ok(figure, name);
      return figure;
    };
    const [exposure, token, tries] = [
      byName("gateway unit exposure"),
      byName("gateway token length"),
      byName("sshd login tries"),
    ];
    const tokenLength = await token.code?.(tests);
    const above = (MAX_UNIT_EXPOSURE + 0.4).toFixed(1);
    // The case: the README says one score, the map another (here above the bound
    // too); a token length the code does not hold; a figure reworded out of reach.
    const planted = {
      "README.md": docs["README.md"]
        .replace(/the gateway unit is rated \*\*[\d.]+\*\*/, "the gateway unit is rated **1.1**")
        .replace(/^(\| gateway unit exposure .*?\| )[\d.]+ \|/m, "$11.1 |")
        .replace(/no forwarding, \d+ tries/g, "no forwarding, some tries"),
      "docs/threat-model.md": docs["docs/threat-model.md"]
        .replace(
          /(?<![A-Za-z] )gateway unit exposure score [\d.]+/,
          `gateway unit exposure score ${above}`,
        )
        .replace(/token auth, \d+ random characters/, "token auth, 32 random characters"),
    };
    const line = (pattern: string) =>
      planted["docs/threat-model.md"].split("\n").findIndex((l) => l.includes(pattern)) + 1;
    const [exposureLine, tokenLine] = [line(`exposure score ${above}`), line("32 random")];
    assert.deepStrictEqual(
      (await figureProblems(planted, tests, [exposure, token, tries])).map((p) =>
        p.replace(/README\.md:\d+/g, "README.md:N"),
      ),
      [
        `gateway unit exposure: stated as 1.1 and ${above} (README.md:N says 1.1; README.md:N says 1.1; docs/threat-model.md:${exposureLine} says ${above})`,
        `gateway unit exposure: docs/threat-model.md:${exposureLine} says ${above}, above the tests' bound ${MAX_UNIT_EXPOSURE}`,
        `gateway token length: docs/threat-model.md:${tokenLine} says 32, the code holds ${tokenLength}`,
        `sshd login tries: README.md no longer states it as /${tries.stated[0].pattern}/ (reword the pattern in test/support/doc-figures.ts, or the doc)`,
      ],
    );
  });
});
