// Preloaded into a bridge child (NODE_OPTIONS=--import) by the process-guard tests: faults
// that no bridge code would catch, injected on a signal so that the test picks the moment.
// SIGUSR2: a promise rejection nobody awaits. SIGWINCH: an exception thrown from a callback.
// SIGURG: the event loop blocked (see below).
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('stray rejection injected by the test'));
});
process.on('SIGWINCH', () => {
  setImmediate(() => {
    throw new Error('uncaught exception injected by the test');
  });
});
// SIGURG: the event loop blocked for a minute (a runaway synchronous loop).
process.on('SIGURG', () => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
});
