// Mocha's spec reporter plus one plain closing line CI can read:
// "N passed, N failed, N skipped". Counted by this run, so an empty run shows.
"use strict";
const Mocha = require("mocha");

class ClawkitReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => passed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => failed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => skipped++);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      // After the spec reporter's epilogue, which it prints on the same event.
      setImmediate(() =>
        process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`),
      );
    });
  }
}

module.exports = ClawkitReporter;
