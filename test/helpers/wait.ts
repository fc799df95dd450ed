/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate` is true, polling every `everyMs`; rejects (naming `what`) after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves once `fn()` is true, checking every `everyMs`; rejects after `ms`. */
export function until(fn: () => boolean, ms = 2000, everyMs = 5): Promise<void> {
  return waitFor(fn, ms, 'a condition', everyMs);
}
