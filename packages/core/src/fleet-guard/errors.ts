import { ZerodownError } from '../errors';

/** The fleet guard could not reach Redis or got an unexpected answer. */
export class FleetGuardError extends ZerodownError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ZERODOWN_FLEET', message, options);
  }
}

/** No slot of the service's fleet semaphore came free before the deadline. */
export class FleetLockTimeoutError extends ZerodownError {
  readonly service: string;
  /** Holders of the slots at the last attempt. */
  readonly holders: string[];
  constructor(service: string, limit: number, holders: string[], waitedMs: number) {
    super(
      'ZERODOWN_FLEET_TIMEOUT',
      `fleet guard: ${holders.length} of ${limit} slot(s) of service "${service}" still taken after ${waitedMs} ms (held by ${holders.join(', ') || 'nobody'}); at most ${limit} instance(s) may be out at once`,
    );
    this.service = service;
    this.holders = holders;
  }
}
