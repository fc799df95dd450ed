import { spawn } from 'node:child_process';
import type { Elbv2Target } from '@zerodown/core/lb';

/** Quotes a value for POSIX `sh`. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Substitutes `{target}` (the target id), `{port}` and `{target_port}` (id:port) into a command, shell-quoted. */
export function renderCommand(template: string, target: Elbv2Target): string {
  const port = target.port !== undefined ? String(target.port) : '';
  return template
    .replace(/\{target\}/g, shellQuote(target.id))
    .replace(/\{port\}/g, shellQuote(port))
    .replace(/\{target_port\}/g, shellQuote(port ? `${target.id}:${port}` : target.id));
}

/**
 * Runs `template` for a target with `/bin/sh -c`, streaming its output (to stderr when stdout is
 * reserved for `--json`); resolves with its exit code (128 + signal number when killed).
 * Env: `ZERODOWN_TARGET`, `ZERODOWN_TARGET_PORT`. The command runs in its own process group: when
 * `signal` aborts, the whole group gets SIGTERM (`sh -c 'a; b'` leaves no `b` running).
 */
export function execForTarget(template: string, target: Elbv2Target, signal: AbortSignal, stdoutToStderr: boolean): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', renderCommand(template, target)], {
      stdio: ['ignore', stdoutToStderr ? process.stderr : 'inherit', 'inherit'],
      env: { ...process.env, ZERODOWN_TARGET: target.id, ZERODOWN_TARGET_PORT: target.port !== undefined ? String(target.port) : '' },
      detached: true,
    });
    const onAbort = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        else child.kill('SIGTERM');
      } catch {
        child.kill('SIGTERM'); // the group is gone already
      }
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(127);
    });
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      resolve(code ?? 128 + (sig === 'SIGKILL' ? 9 : sig === 'SIGINT' ? 2 : 15));
    });
  });
}
