// The bench's table of figures: a figure that could not be measured is printed as
// MISSING and fails the run, so a bench that lost a number cannot pass for one.

/** One measured figure: its name, its value, and how it was measured. */
export type FigureRow = [name: string, value: string, how: string];

export class FigureTable {
  readonly rows: FigureRow[] = [];
  /** Names of figures that could not be measured. */
  readonly missing: string[] = [];

  /** Records and prints a figure; undefined, or a value holding undefined or NaN, is missing. */
  figure(name: string, value: string | undefined, how: string): void {
    if (value === undefined || /undefined|NaN/.test(value)) {
      this.missing.push(name);
      value = "MISSING";
    }
    this.rows.push([name, value, how]);
    console.log(`${name}: ${value}   (${how})`);
  }

  /** The table in Markdown, for the README. */
  markdown(): string {
    return [
      "| figure | value | how |",
      "|---|---|---|",
      ...this.rows.map(([name, value, how]) => `| ${name} | ${value} | ${how} |`),
    ].join("\n");
  }
}

/** "median s (min-max s over n)" of a list of seconds (or of UNIT), or undefined when there is none. */
export function spread(values: unknown, unit = "s"): string | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const sorted = values.map(Number).sort((a, b) => a - b);
  if (sorted.some((v) => !Number.isFinite(v))) return undefined;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const [low, high] = [sorted[0], sorted[sorted.length - 1]];
  return `${median.toFixed(1)} ${unit} median (${low.toFixed(1)}-${high.toFixed(1)} ${unit} over ${sorted.length})`;
}

/** Seconds with one decimal, or undefined when the value is not a finite number. */
export function seconds(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) ? `${value.toFixed(1)} s` : undefined;
}
