/** Runs `fn` and returns its outcome as a promise: a synchronous throw becomes a rejection. */
export function promiseOf<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
