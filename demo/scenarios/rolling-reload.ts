/**
 * The rolling reload: `zerodown serve` hosts of the Express example (two workers each) under load, every
 * worker replaced by `zerodown reload` after the release symlink moves to v2 — three hosts behind HAProxy
 * when it is installed, one host reached directly otherwise. The same steps as test/e2e/reload-e2e.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { runCli, which } from '../../test/fixtures/cli-helpers';
import { serveAvailable, startServeFleet, switchCurrent, writeRelease } from '../../test/e2e/harness/serve-fleet';
import type { DemoScenario } from './types';

/** `zerodown reload` of every host in turn. */
export const rollingReloadScenario: DemoScenario = {
  name: 'rolling-reload',
  unavailable: () => (serveAvailable() ? undefined : 'the built CLI has no `zerodown serve` / `zerodown reload` yet (issue 10)'),
  async start() {
    const haproxy = which('haproxy');
    const version = haproxy ? (spawnSync(haproxy, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/ - .*/, '') ?? 'HAProxy') : undefined;
    const fleet = await startServeFleet(haproxy ? 3 : 1, 2, Boolean(haproxy));
    return {
      url: fleet.url,
      description: haproxy
        ? `3 hosts of \`zerodown serve examples/express-app --workers 2\` behind ${version} (health check GET /readyz every 200 ms)`
        : '1 host of `zerodown serve examples/express-app --workers 2`, reached directly: HAProxy is not installed (Debian/Ubuntu: apt-get install haproxy)',
      async deploy(mark) {
        const times = [];
        for (const h of fleet.hosts) {
          writeRelease(h.root, 'v2');
          switchCurrent(h.root, 'v2');
          const t0 = performance.now();
          mark({ now: t0, label: `${h.name} reload` });
          const r = await runCli(['reload', '--socket', h.socket, '--timeout', '5m'], {}, 400000);
          if (r.code !== 0) throw new Error(`zerodown reload ${h.name} exited ${r.code}: ${r.stderr}${r.stdout}`);
          const now = performance.now();
          mark({ now, label: `${h.name} reloaded` });
          times.push({ name: h.name, ms: now - t0 });
        }
        return times;
      },
      stop: () => fleet.stop(),
    };
  },
};
