import * as assert from "assert";
import { FigureTable, seconds, spread } from "../../scripts/figures";

describe("bench figures: a figure that could not be measured fails the bench", function () {
  const quietly = (fn: () => void) => {
    const log = console.log;
    console.log = () => undefined;
    try {
      fn();
    } finally {
      console.log = log;
    }
  };

  it("undefined, NaN and text holding either are missing; numbers are not", function () {
    const table = new FigureTable();
    quietly(() => {
      table.figure("a", undefined, "x");
      table.figure("b", `${undefined} s`, "x");
      table.figure("c", seconds(Number("x")), "x");
      table.figure("d", spread([]), "x");
      table.figure("e", spread([1, Number.NaN]), "x");
      table.figure("f", seconds(12.34), "x");
      table.figure("g", spread([3, 1, 2, 10]), "x");
    });
    assert.deepStrictEqual(table.missing, ["a", "b", "c", "d", "e"]);
    assert.deepStrictEqual(
      table.rows.map((r) => r[1]),
      [
        "MISSING",
        "MISSING",
        "MISSING",
        "MISSING",
        "MISSING",
        "12.3 s",
        "2.5 s median (1.0-10.0 s over 4)",
      ],
    );
    assert.match(
      table.markdown(),
      /^\| figure \| value \| how \|\n\|---\|---\|---\|\n\| a \| MISSING \| x \|/,
    );
  });
});
