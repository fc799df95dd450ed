/** Longest bearer token the probes accept (their `Authorization` check reads at most this many characters). */
export const MAX_TOKEN_LENGTH = 512;
/** Shortest health token accepted. */
export const MIN_TOKEN_LENGTH = 16;

/** What a health token must be, for error messages. */
export const TOKEN_EXPECTED = `${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} printable ASCII characters without spaces (what an "Authorization: Bearer <token>" header can carry)`;

/**
 * Why `token` can never unlock the probes' details, or `undefined` when it can: the probes compare only a
 * `Bearer` credential of 1-512 printable ASCII characters (no space, no control character). The reason
 * never quotes the token.
 */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`;
  if (token.length > MAX_TOKEN_LENGTH) return `${token.length} characters, more than ${MAX_TOKEN_LENGTH}`;
  if (/\s/.test(token)) return 'it contains whitespace';
  if (/[\x00-\x1f\x7f]/.test(token)) return 'it contains a control character';
  if (/[^\x21-\x7e]/.test(token)) return 'it contains a non-ASCII character';
  return undefined;
}
