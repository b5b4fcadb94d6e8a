// docs/threat-model.md and the tests that check it: each row of the map has an id, and a
// test names the rows it checks in its title (or its describe block's), in brackets.
import * as fs from "fs";
import * as path from "path";
import { ROOT, run, tempDir } from "./tools";

/** A row's id: the letter of its table and a number, e.g. R1, S5, M14. */
const ROW_ID = /^[A-Z]\d+$/;

/** The rows a test title names: "[R1]" or "[S2, A5]", anywhere in the full title. */
const TITLE_IDS = /\[([A-Z]\d+(?:, [A-Z]\d+)*)\]/g;

/** What a row says in its "checked by" column when only the README answers it. */
export const DOCUMENTATION_ONLY = "documentation only";

/** One risk row of the map. */
export interface ThreatRow {
  /** The id in the row's first column (whatever is there: the check judges it). */
  readonly id: string;
  /** The row's "checked by" column, its last. */
  readonly checkedBy: string;
  /** The row's line in the map, from 1. */
  readonly line: number;
}

/** One test as mocha knows it. */
export interface TestTitle {
  /** The test's own title, the form the map quotes. */
  readonly title: string;
  /** The describe blocks' titles and the test's, joined by spaces. */
  readonly fullTitle: string;
}

/** The risk rows of every table in the map (header and separator rows left out). */
export function threatRows(map: string): ThreatRow[] {
  return map.split("\n").flatMap((text, i) => {
    if (!text.startsWith("|") || /^\|\s*(id|risk)\s*\|/.test(text) || /^\|-/.test(text)) return [];
    // A `|` inside a cell's code can split the middle cells; the first and last stand.
    const cells = text.split("|").map((c) => c.trim());
    return [{ id: cells[1], checkedBy: cells[cells.length - 2], line: i + 1 }];
  });
}

/** The tests' titles a row quotes in its "checked by" column; "…" ends an abbreviated one. */
export function quotedTitles(row: ThreatRow): string[] {
  return [...row.checkedBy.matchAll(/"([^"]{12,}?)(…)?"/g)].map((m) => m[1]);
}

/** The row ids a test's full title carries. */
export function idsInTitle(fullTitle: string): string[] {
  return [...fullTitle.matchAll(TITLE_IDS)].flatMap((m) => m[1].split(", "));
}

/** Rows without an id of the form R1, or with another row's. */
export function rowIdProblems(rows: readonly ThreatRow[]): string[] {
  const seen = new Set<string>();
  return rows.flatMap((row) => {
    const problem = !ROW_ID.test(row.id)
      ? `line ${row.line}: "${row.id}" is not a row id (a letter and a number, e.g. R1)`
      : seen.has(row.id)
        ? `line ${row.line}: ${row.id} is another row's id too`
        : undefined;
    seen.add(row.id);
    return problem ? [problem] : [];
  });
}

/**
 * Rows no test carries that do not say they are documentation only, and rows that say
 * so while a test carries them.
 */
export function uncheckedRowProblems(
  rows: readonly ThreatRow[],
  tests: readonly TestTitle[],
): string[] {
  return rows.flatMap((row) => {
    const carrier = tests.find((t) => idsInTitle(t.fullTitle).includes(row.id));
    const documentationOnly = row.checkedBy.startsWith(DOCUMENTATION_ONLY);
    if (!documentationOnly && !carrier)
      return [
        `${row.id}: no test title carries [${row.id}], and the row does not say "${DOCUMENTATION_ONLY}"`,
      ];
    if (documentationOnly && carrier)
      return [`${row.id}: says "${DOCUMENTATION_ONLY}", but "${carrier.fullTitle}" carries it`];
    return [];
  });
}

/** Ids in test titles that are no row of the map. */
export function unknownIdProblems(
  rows: readonly ThreatRow[],
  tests: readonly TestTitle[],
): string[] {
  const ids = new Set(rows.map((r) => r.id));
  return tests.flatMap((t) =>
    idsInTitle(t.fullTitle)
      .filter((id) => !ids.has(id))
      .map((id) => `"${t.fullTitle}" carries [${id}], which is no row of the threat map`),
  );
}

/** Titles a row quotes that name no test, or a test that does not carry the row's id. */
export function quotedTitleProblems(
  rows: readonly ThreatRow[],
  tests: readonly TestTitle[],
): string[] {
  return rows.flatMap((row) =>
    quotedTitles(row).flatMap((quoted) => {
      const named = tests.filter((t) => t.title.startsWith(quoted));
      if (named.length === 0) return [`${row.id} quotes a test that does not exist: "${quoted}"`];
      return named
        .filter((t) => !idsInTitle(t.fullTitle).includes(row.id))
        .map((t) => `${row.id} quotes "${t.fullTitle}", which does not carry [${row.id}]`);
    }),
  );
}

/**
 * Every test of every layer, as the test command would run them (loops and template
 * titles expanded): mocha's dry run, which defines the tests and runs none of them, nor
 * any hook.
 */
export function listTests(): TestTitle[] {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, ".mocharc.json"), "utf8")) as {
    spec: string[];
  };
  const tmp = tempDir("tests");
  try {
    const output = path.join(tmp.dir, "tests.json");
    const result = run(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"),
        "--no-config",
        "--dry-run",
        "--require",
        "ts-node/register/transpile-only",
        "--extension",
        "ts",
        "--reporter",
        "json",
        "--reporter-option",
        `output=${output}`,
        ...config.spec,
      ],
      { cwd: ROOT },
    );
    if (result.status !== 0 || !fs.existsSync(output))
      throw new Error(
        `mocha --dry-run failed (${result.status}):\n${result.stdout}${result.stderr}`,
      );
    return (JSON.parse(fs.readFileSync(output, "utf8")).tests as TestTitle[]).map((t) => ({
      title: t.title,
      fullTitle: t.fullTitle,
    }));
  } finally {
    tmp.remove();
  }
}
