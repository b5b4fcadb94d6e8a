import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const DIR = path.join(__dirname, "..", "unit", "__snapshots__");

/**
 * Compares text with its stored snapshot (pulumi-eks style). A changed render
 * fails until a person looks at the diff and reruns with UPDATE_SNAPSHOTS=1.
 */
export function matchSnapshot(name: string, actual: string): void {
  const file = path.join(DIR, name);
  if (process.env.UPDATE_SNAPSHOTS === "1" || !fs.existsSync(file)) {
    if (process.env.CI === "true")
      assert.fail(`snapshot ${name} is missing; run UPDATE_SNAPSHOTS=1 npm test and commit it`);
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.strictEqual(
    actual,
    fs.readFileSync(file, "utf8"),
    `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)`,
  );
}
