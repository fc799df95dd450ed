/** undici's `request`, loaded on first use: most processes never make an outbound call through core. */
export type UndiciRequest = typeof import('undici').request;

let loaded: UndiciRequest | undefined;

/** Returns undici's `request`, requiring undici the first time (keeps core's startup and heap small). */
export function undiciRequest(): UndiciRequest {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('undici') as typeof import('undici')).request;
  return loaded;
}
