import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { importCycles, relativeImports } from "./support/import-cycles";
import { ROOT, run, tempDir } from "./support/tools";

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

describe("lint: types, eslint (with @pulumi/eslint-plugin) and prettier", function () {
  this.timeout(300_000);

  it("tsc --noEmit: the whole project type-checks", function () {
    const result = run(bin("tsc"), ["--noEmit", "-p", ROOT], { cwd: ROOT });
    assert.strictEqual(result.status, 0, result.stdout + result.stderr);
  });

  it("eslint: no findings", function () {
    const result = run(bin("eslint"), ["--max-warnings=0", "."], { cwd: ROOT });
    assert.strictEqual(result.status, 0, result.stdout + result.stderr);
  });

  it("prettier: everything formatted", function () {
    const result = run(bin("prettier"), ["--check", "."], { cwd: ROOT });
    assert.strictEqual(result.status, 0, result.stdout + result.stderr);
  });

  it("no import cycles, type-only imports included", function () {
    assert.deepStrictEqual(importCycles(ROOT), []);
  });

  it("components and renderers never import the config layer (program/, */config.ts)", function () {
    const configLayer = (file: string) =>
      file.startsWith("program/") || /^(core|vps|moltworker|owned)\/config\.ts$/.test(file);
    const imports = relativeImports(ROOT);
    // The rule sees the components and the config layer they must not reach.
    assert.ok(imports.get("vps/agent.ts")?.includes("vps/rules.ts"));
    assert.ok(imports.get("program/program.ts")?.includes("vps/agent.ts"));
    const offending = [...imports].flatMap(([file, targets]) =>
      /^(core|vps|moltworker|owned)\//.test(file) && !configLayer(file)
        ? targets.filter(configLayer).map((t) => `${file} -> ${t}`)
        : [],
    );
    assert.deepStrictEqual(offending, []);
  });

  it("the policy pack loads no provider: policy/ imports only itself and moltworker/storageRules.ts", function () {
    const imports = relativeImports(ROOT);
    assert.ok(imports.get("policy/policies.ts")?.includes("moltworker/storageRules.ts"));
    const offending = [...imports].flatMap(([file, targets]) =>
      file.startsWith("policy/")
        ? targets.filter((t) => !t.startsWith("policy/") && t !== "moltworker/storageRules.ts")
        : [],
    );
    assert.deepStrictEqual(offending, []);
    assert.deepStrictEqual(imports.get("moltworker/storageRules.ts"), []);
  });

  it("the cycle check has teeth: a two-file and a three-file cycle are both found", function () {
    const tmp = tempDir("import-cycles");
    try {
      const write = (name: string, body: string) =>
        fs.writeFileSync(path.join(tmp.dir, name), body);
      write("a.ts", 'import type { B } from "./b";\nexport type A = B;\n');
      write("b.ts", 'import { c } from "./c";\nexport type B = typeof c;\n');
      write("c.ts", 'export { a } from "./d";\nexport const c = 1;\n');
      write("d.ts", 'import { c } from "./c";\nexport const a = c;\n');
      write("e.ts", 'import type { A } from "./a";\nexport type E = A;\n');
      // a -> b -> c -> d -> c: one cycle (c, d); e imports a without closing a loop.
      assert.deepStrictEqual(importCycles(tmp.dir), ["c.ts -> d.ts -> c.ts"]);
      // Now b imports e, which imports a: a type-only loop of three files.
      write("b.ts", 'import type { E } from "./e";\nexport type B = E;\n');
      assert.deepStrictEqual(importCycles(tmp.dir).sort(), [
        "a.ts -> b.ts -> e.ts -> a.ts",
        "c.ts -> d.ts -> c.ts",
      ]);
    } finally {
      tmp.remove();
    }
  });
});
