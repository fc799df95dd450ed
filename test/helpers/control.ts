import { controlRequest } from '../../packages/core/src/control/client';
import type { ControlStatus } from '../../packages/core/src/control/types';

/** The app's in-flight request count, read over its control socket (`-1` while the socket does not answer yet). */
export async function inflightOver(socket: string): Promise<number> {
  try {
    return (await controlRequest<ControlStatus>(socket, { path: '/status' })).inflight;
  } catch {
    return -1;
  }
}
