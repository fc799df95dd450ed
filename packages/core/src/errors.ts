import { redactText } from './config/redact';

/** Stable error codes thrown by zerodown. */
export type ZerodownErrorCode =
  | 'ZERODOWN_CONFIG'
  | 'ZERODOWN_CHECK_TIMEOUT'
  | 'ZERODOWN_CHECK_FAILED'
  | 'ZERODOWN_DUPLICATE_CHECK'
  | 'ZERODOWN_STATE'
  | 'ZERODOWN_HOOK_TIMEOUT'
  | 'ZERODOWN_BREAKER_OPEN'
  | 'ZERODOWN_BREAKER_TIMEOUT'
  | 'ZERODOWN_LB'
  | 'ZERODOWN_LB_TIMEOUT'
  | 'ZERODOWN_LB_MIN_HEALTHY'
  | 'ZERODOWN_LB_SUPERSEDED'
  | 'ZERODOWN_IMDS'
  | 'ZERODOWN_CONTROL'
  | 'ZERODOWN_CONTROL_TRUST'
  | 'ZERODOWN_FLEET'
  | 'ZERODOWN_FLEET_TIMEOUT';

/** Base class of every error zerodown throws; `code` is stable across releases. */
export class ZerodownError extends Error {
  readonly code: ZerodownErrorCode;
  constructor(code: ZerodownErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid configuration: names the field, the value given and what was expected; never a secret (URL credentials and query strings, `Bearer` credentials are redacted from the message). */
export class ZerodownConfigError extends ZerodownError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('ZERODOWN_CONFIG', redactText(message));
    this.field = field;
  }
}

/** A health check did not settle within its timeout. */
export class CheckTimeoutError extends ZerodownError {
  constructor(name: string, timeoutMs: number) {
    super('ZERODOWN_CHECK_TIMEOUT', `check "${name}" timed out after ${timeoutMs} ms`);
  }
}

/** A health check with the same name is already registered. */
export class DuplicateCheckError extends ZerodownError {
  constructor(name: string) {
    super('ZERODOWN_DUPLICATE_CHECK', `a health check named "${name}" is already registered`);
  }
}

/** An operation is not allowed in the current lifecycle state. */
export class LifecycleStateError extends ZerodownError {
  constructor(message: string) {
    super('ZERODOWN_STATE', message);
  }
}

/** A shutdown hook did not finish within its own timeout. */
export class HookTimeoutError extends ZerodownError {
  constructor(name: string, timeoutMs: number) {
    super('ZERODOWN_HOOK_TIMEOUT', `shutdown hook "${name}" did not finish within ${timeoutMs} ms`);
  }
}
