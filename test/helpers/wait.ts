/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `fn()` is true, checking every `everyMs`; throws "condition not met" after `ms`. */
export async function until(fn: () => boolean, ms = 2000, everyMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met');
    await sleep(everyMs);
  }
}
