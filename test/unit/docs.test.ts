import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { Target } from "../../core/config";
import { parseAgents } from "../../program/agents";
import { parseConfig } from "../../program/stackConfig";
import { CONFIG_REFERENCE } from "../../program/configReference";
import { baseConfig, moltworkerConfig, SECRET_KEYS, sourceOf } from "../support/config";
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
};

describe("docs: the config reference, Pulumi.yaml and the README agree with the code", function () {
  const reference = new Map(CONFIG_REFERENCE.map((k) => [k.key, k]));

  for (const shape of ["vps", "moltworker"] as const) {
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

  it("every file the threat map and the README's layout name exists", function () {
    const named = new Set<string>();
    for (const doc of ["docs/threat-model.md", "README.md"]) {
      const text = fs.readFileSync(path.join(ROOT, doc), "utf8");
      for (const m of text.matchAll(
        /`((?:core|vps|moltworker|program|scripts|test|docs)\/[\w./-]+)`/g,
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

  it("every test the threat map names by its title exists", function () {
    const map = fs.readFileSync(path.join(ROOT, "docs", "threat-model.md"), "utf8");
    // A title in the "checked by" column is quoted; "…" ends an abbreviated one.
    const named = map
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .flatMap((l) => [...(l.split("|").at(-2) ?? "").matchAll(/"([^"]{12,}?)(…)?"/g)])
      .map((m) => m[1]);
    assert.ok(named.length >= 10, `only ${named.length} titles named`);
    const titles = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return titles(p);
        // Test files, and the system layer's shared describe blocks (test/system/alerts.ts).
        if (!e.name.endsWith(".ts")) return [];
        return [...fs.readFileSync(p, "utf8").matchAll(/\bit\(\s*[`"]([^`"]+)[`"]/g)].map(
          (m) => m[1],
        );
      });
    const all = titles(path.join(ROOT, "test"));
    for (const title of named)
      assert.ok(
        all.some((t) => t.startsWith(title)),
        `the threat map names a test that does not exist: "${title}"`,
      );
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
