import { ZerodownError } from '../errors';

/** A reload was asked while another one runs; the running one goes on unaffected. */
export class ReloadBusyError extends ZerodownError {
  constructor(startedAt: string) {
    super('ZERODOWN_RELOAD_BUSY', `a reload is already running (started ${startedAt}); it goes on unaffected: wait for it to finish, then reload again`);
  }
}

/** A reload stopped because the new release did not become ready: the old workers keep serving. */
export class ReloadFailedError extends ZerodownError {
  /** The new worker's last stderr lines. */
  readonly stderr: string[];
  /** What went wrong, in a few words (e.g. `exited with code 1 before it was ready`). */
  readonly reason: string;
  constructor(reason: string, message: string, stderr: string[]) {
    super('ZERODOWN_RELOAD_FAILED', message);
    this.reason = reason;
    this.stderr = stderr;
  }
}

/** The master cannot do this now (it is stopping, or it never started). */
export class MasterStateError extends ZerodownError {
  constructor(message: string) {
    super('ZERODOWN_STATE', message);
  }
}
