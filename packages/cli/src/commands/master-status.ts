import type { MasterStatus } from '@zerodown/core/cluster';
import { formatMs } from '../parse';

/** True when a `/status` answer comes from a `zerodown serve` master rather than an app. */
export function isMasterStatus(s: unknown): s is MasterStatus {
  return typeof s === 'object' && s !== null && (s as { kind?: unknown }).kind === 'master';
}

/** Renders a master's status for humans: one line per worker (pid, release, started, state, in flight). */
export function formatMasterStatus(s: MasterStatus): string {
  const lines = [
    `${s.service} master (pid ${s.pid}): ${s.state}, ${s.workers.filter((w) => w.state === 'ready').length}/${s.target} worker(s) ready, up ${formatMs(s.uptimeMs)}${s.respawnGaveUp ? ', respawn stopped after a crash loop' : ''}`,
    `  release: ${s.release ? `${s.release.package ?? 'app'} ${s.release.entry}` : 'none'}  socket: ${s.socket ?? 'none'}`,
  ];
  for (const w of s.workers) {
    lines.push(`  worker ${w.pid}: ${w.state}  in flight: ${w.inflight ?? '?'}  started: ${w.startedAt}  release: ${w.release.package ?? 'app'} ${w.release.entry}${w.usesZerodown ? '' : '  (no zerodown: ready when listening)'}`);
  }
  return lines.join('\n');
}
