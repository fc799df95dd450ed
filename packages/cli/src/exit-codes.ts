/** Exit codes of `zerodown` (listed in `zerodown --help`). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Failed (the app, the load balancer or the command said no). */
  failed: 1,
  /** Usage error: bad subcommand, flag or value (including a value core rejects, e.g. a malformed ARN). Usage text goes to stderr. */
  usage: 2,
  /** Timed out waiting (load balancer, in-flight requests, fleet lock). */
  timeout: 3,
  /** Interrupted by SIGINT (Ctrl-C), after putting back what was out (`rolling`). */
  sigint: 130,
  /** Interrupted by SIGTERM, after putting back what was out (`rolling`). */
  sigterm: 143,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const TIMEOUT_CODES = new Set(['ZERODOWN_LB_TIMEOUT', 'ZERODOWN_TIMEOUT', 'ZERODOWN_FLEET_TIMEOUT']);

/** The exit code for an error: 2 for invalid configuration (`ZERODOWN_CONFIG`), 3 for anything that ran out of time, else 1. */
export function exitCodeFor(error: unknown): ExitCode {
  const e = error as { code?: unknown; reason?: unknown; timedOut?: unknown; name?: unknown };
  if (e && e.code === 'ZERODOWN_CONFIG') return EXIT.usage;
  if (e && (e.timedOut === true || TIMEOUT_CODES.has(String(e.code)) || TIMEOUT_CODES.has(String(e.reason)) || e.name === 'TimeoutError')) return EXIT.timeout;
  return EXIT.failed;
}
