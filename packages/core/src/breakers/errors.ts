import { ZerodownError } from '../errors';

/** A call was refused because the breaker is open (or another instance holds the probe lease). */
export class BreakerOpenError extends ZerodownError {
  readonly breaker: string;
  constructor(breaker: string) {
    super('ZERODOWN_BREAKER_OPEN', `breaker "${breaker}" is open`);
    this.breaker = breaker;
  }
}
