import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { controlRequest } from './client';
import { ControlTrustError } from './errors';
import { controlSocketDirs, type ControlEnv } from './paths';
import { assertTrustedDirectory, assertTrustedSocket } from './trust';
import type { ControlStatus } from './types';

/** A control socket found by {@link findControlSockets}. */
export interface FoundControlSocket {
  path: string;
  status: ControlStatus;
}

/** Where {@link findControlSockets} looked and what it found. */
export interface ControlSocketSearch {
  /** Directories searched. */
  searched: string[];
  /** Live sockets (answering `GET /status`), filtered by service when asked. */
  found: FoundControlSocket[];
  /** Directories and sockets skipped, never talked to, because another user could control them. */
  refused: ControlTrustError[];
}

/** Runs a trust check; a refusal is recorded instead of thrown. */
async function trusted(check: Promise<void>, refused: ControlTrustError[]): Promise<boolean> {
  try {
    await check;
    return true;
  } catch (error) {
    if (error instanceof ControlTrustError) refused.push(error);
    return false;
  }
}

/**
 * Finds the control sockets of running apps in the default directories (see `controlSocketDirs`),
 * keeping the ones that answer `GET /status` (and, with `service`, whose service name matches). A
 * directory is searched only when it is the caller's own private one (a real directory owned by the
 * caller with no group/other permission bits, as the app requires), and a socket is asked only when the
 * caller or root owns it; the others are listed in `refused`.
 */
export async function findControlSockets(options: { env?: ControlEnv; service?: string; timeoutMs?: number } = {}): Promise<ControlSocketSearch> {
  const searched = controlSocketDirs(options.env ?? process.env);
  const refused: ControlTrustError[] = [];
  const candidates: string[] = [];
  for (const dir of searched) {
    if (!(await trusted(assertTrustedDirectory(dir, 'private', { missingOk: true }), refused))) continue;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.sock') && (await trusted(assertTrustedSocket(join(dir, n)), refused))) candidates.push(join(dir, n));
  }
  const answers = await Promise.all(
    candidates.map((path) =>
      controlRequest<ControlStatus>(path, { path: '/status', timeoutMs: options.timeoutMs ?? 2000 }).then(
        (status) => ({ path, status }),
        () => undefined,
      ),
    ),
  );
  const found = answers.filter((a): a is FoundControlSocket => a !== undefined && (options.service === undefined || a.status.service === options.service));
  return { searched, found, refused };
}
