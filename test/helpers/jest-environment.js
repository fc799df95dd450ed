'use strict';
/**
 * The suite's Jest test environment: Node's own, plus a prompt exit of the Jest worker process.
 *
 * When Jest ends a worker, the worker's event loop empties within milliseconds (nothing is left open:
 * the 'exit' event fires 5–10 ms after Jest's end message), but Node then tears down the V8 heap of a
 * worker that ran dozens of test files (~360 MB RSS). With both cores busy that took over 500 ms, and
 * Jest force-killed the worker ("A worker process has failed to exit gracefully"). Calling
 * `process.exit()` at `beforeExit` runs every 'exit' listener and skips the heap teardown.
 *
 * `beforeExit` fires only once the event loop has nothing left to do: in a worker, only after Jest's end
 * message (until then Jest's IPC listener keeps the loop alive), so no test is cut short. Loaded once per
 * worker process (Jest caches the environment module), so the listener is added once.
 */
const { TestEnvironment } = require('jest-environment-node');

process.once('beforeExit', () => process.exit());

module.exports = TestEnvironment;
