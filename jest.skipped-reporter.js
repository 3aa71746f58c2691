/**
 * Lists every skipped test once more after Jest's summary, with its file. Tests that need what a
 * plain machine lacks (src/testing/requires.ts) carry the reason in their name, so the list says
 * what did not run here and why; Jest's own summary gives only a count.
 */
const path = require('node:path');

class SkippedTestsReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    // With -t, every test the pattern leaves out counts as skipped: list only those skipped for a reason then.
    this.onlyRequirements = Boolean(globalConfig.testNamePattern);
  }

  onRunComplete(_testContexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const isSkipped = test.status === 'pending' || test.status === 'skipped' || test.status === 'todo';
        if (isSkipped && (!this.onlyRequirements || test.fullName.includes('SKIPPED'))) {
          skipped.push(`  ○ ${path.relative(this.rootDir, file.testFilePath)} › ${test.fullName}`);
        }
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(
      `\n${skipped.length} skipped (a name with SKIPPED says what this machine lacks; .ci/run installs it and runs the test):\n${skipped.join('\n')}\n`,
    );
  }
}

module.exports = SkippedTestsReporter;
