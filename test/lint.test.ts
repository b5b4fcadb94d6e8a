import * as assert from "assert";
import * as path from "path";
import { ROOT, run } from "./support/tools";

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
});
