/**
 * Waiting for an effect that shows only in a fake or a store: re-runs `check` on the event
 * loop until it returns something other than `undefined` or `false`, and resolves with it.
 * `timeoutMs` is a guard against a test that would otherwise hang, never a timing
 * assertion: it fails the test with `what` in the message.
 */
export async function eventually(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
//# sourceMappingURL=eventually.js.map
