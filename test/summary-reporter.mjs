// Ends every run with one plain line that any CI can read, whatever it knows of jest's own summary.
// Jest prints its own summary after every reporter's onRunComplete, so the line waits for the exit.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const line = `summary: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}
