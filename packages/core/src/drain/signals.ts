import { constants as osConstants } from 'node:os';
import type { Logger } from '../logger';
import type { Runtime } from './runtime';

/**
 * A second signal within this window of the signal that started (or joined) the drain is the same
 * delivery twice, not an operator asking to force the exit: GNU `timeout` and some supervisors signal
 * the process and its group, so one `kill` arrives twice within microseconds to milliseconds. 1000 ms
 * is far above that and still well below a human's "it is stuck, press Ctrl-C again" (seconds).
 */
export const SIGNAL_DEBOUNCE_MS = 1000;

/** What one signal delivery does. */
export type SignalAction = 'start' | 'join' | 'debounced' | 'force';

/**
 * The signal rules, as a pure decision: the first signal starts the drain, or joins a drain the app
 * started itself (`zd.drain()`, a `processErrors` drain, the control channel) without forcing
 * anything; a signal within {@link SIGNAL_DEBOUNCE_MS} of that first one is ignored; any later one
 * forces the exit.
 */
export class SignalRules {
  private firstAt: number | undefined;

  /** The action for a signal received at `now` (ms) while a drain is (or is not) running. */
  decide(now: number, draining: boolean): SignalAction {
    if (this.firstAt === undefined) {
      this.firstAt = now;
      return draining ? 'join' : 'start';
    }
    return now - this.firstAt < SIGNAL_DEBOUNCE_MS ? 'debounced' : 'force';
  }
}

/** What {@link installSignalHandlers} drives. */
export interface SignalHost {
  readonly logger: Logger;
  readonly draining: boolean;
  readonly inflight: number;
  drain(reason: string): unknown;
}

/** The exit code of a forced exit: 128 + the signal number (143 for SIGTERM, 130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 15);
}

/** Installs one handler per signal through the runtime; returns a function that removes them all. */
export function installSignalHandlers(host: SignalHost, runtime: Runtime, signals: readonly NodeJS.Signals[]): () => void {
  const rules = new SignalRules();
  const removers = signals.map((signal) =>
    runtime.onSignal(signal, () => {
      const action = rules.decide(runtime.now(), host.draining);
      if (action === 'start') {
        void host.drain(signal);
      } else if (action === 'join') {
        host.logger.info({ signal }, `zerodown: ${signal} received while a drain the app started is running: it joins that drain (not a second signal)`);
      } else if (action === 'debounced') {
        host.logger.warn({ signal, debounceMs: SIGNAL_DEBOUNCE_MS }, `zerodown: ${signal} repeated within ${SIGNAL_DEBOUNCE_MS} ms of the first: ignored (the same delivery twice, e.g. to the process and its group)`);
      } else {
        const code = signalExitCode(signal);
        host.logger.error({ signal, inflight: host.inflight, exitCode: code }, `zerodown: second ${signal}: exiting now with code ${code} and ${host.inflight} request(s) in flight`);
        runtime.exit(code);
      }
    }),
  );
  return () => {
    for (const remove of removers.splice(0)) remove();
  };
}
