/** What a redacted secret is shown as. */
export const REDACTED = '<redacted>';

/**
 * True for a field or header name whose value is a secret: authorization, cookie, anything token-,
 * secret-, password-, credential-, session-, signature- or key-like (`x-api-key`, `accessKey`, `key`).
 */
export function isSecretName(name: string): boolean {
  return /auth|cookie|token|secret|passw|pwd|credential|session|signature|key$/i.test(name);
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi;
/** `token=…`-style parameters outside a well-formed URL (`?access_token=…`, `&api_key=…`, `password=…`). */
const SECRET_PARAM = /(\b[\w.-]*(?:auth|token|secret|passw|pwd|credential|session|signature|key)[\w.-]*=)[^\s&#"'<>]+/gi;
/** An auth scheme followed by a credential-like word (token68, 8+ characters: "Bearer abc…", "token ghp_…"). */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token)(\s+)[\w\-.~+/]{8,}=*/gi;

/**
 * Removes secrets from free text (an error message, a log line, a URL): the userinfo of every URL
 * (`https://user:pass@host` → `https://<redacted>@host`), every URL's query string (`?token=…` →
 * `?<redacted>`), the value of any secret-named `name=value` parameter elsewhere (`access_token=…`), and
 * the credentials after an auth scheme (`Bearer abc` → `Bearer <redacted>`).
 */
export function redactText(text: string): string {
  return text.replace(URL_QUERY, `$1?${REDACTED}`).replace(URL_USERINFO, `$1${REDACTED}@`).replace(SECRET_PARAM, `$1${REDACTED}`).replace(AUTH_SCHEME, `$1$2${REDACTED}`);
}

/**
 * A copy of `value` safe to show: every property with a secret-like name ({@link isSecretName}) becomes
 * `<redacted>` and every string goes through {@link redactText}. Cycles and depth beyond 8 are cut.
 */
export function redactValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > 8) return '[...]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) && v !== undefined && v !== null && v !== false ? REDACTED : redactValue(v, depth + 1, seen);
  return out;
}

/** An error as a log field without secrets: its name, `code` and {@link redactText}-ed message (no stack). */
export function redactError(error: unknown): { type: string; code?: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    type: error instanceof Error ? error.name : typeof error,
    ...(typeof code === 'string' ? { code } : {}),
    message: redactText(error instanceof Error ? error.message : String(error)),
  };
}
