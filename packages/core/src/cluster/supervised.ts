/** Set by `zerodown serve` in every worker's environment. */
export const SUPERVISED_ENV = 'ZERODOWN_SUPERVISED';

/** The IPC side of a process (`process` in a worker). */
export interface IpcProcess {
  send?: (message: unknown) => boolean;
  connected?: boolean;
  on(event: 'message' | 'disconnect', fn: (...args: unknown[]) => void): unknown;
  removeListener(event: 'message' | 'disconnect', fn: (...args: unknown[]) => void): unknown;
}

/** True when this process is a worker of `zerodown serve`: the master's env var is set and an IPC channel is open. */
export function isSupervised(env: Record<string, string | undefined> = process.env, proc: IpcProcess = process): boolean {
  return env[SUPERVISED_ENV] === '1' && typeof proc.send === 'function';
}
