import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { controlRequest } from './client';
import { controlSocketDirs, type ControlEnv } from './paths';
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
}

/**
 * Finds the control sockets of running apps in the default directories (see `controlSocketDirs`),
 * keeping the ones that answer `GET /status` (and, with `service`, whose service name matches).
 */
export async function findControlSockets(options: { env?: ControlEnv; service?: string; timeoutMs?: number } = {}): Promise<ControlSocketSearch> {
  const searched = controlSocketDirs(options.env ?? process.env);
  const candidates: string[] = [];
  for (const dir of searched) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.sock')) candidates.push(join(dir, n));
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
  return { searched, found };
}
