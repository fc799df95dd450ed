/**
 * The rolling patch: three instances of the Express example behind HAProxy (health-checking /readyz),
 * patched one at a time with the zerodown CLI — the same steps as test/e2e/rolling-patch.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { which } from '../../test/fixtures/cli-helpers';
import { rollingPatch, startFleet } from '../../test/e2e/harness/fleet';
import type { DemoScenario } from './types';

const STEP_LABEL = { drain: 'drain', sigterm: 'SIGTERM', started: 'started', up: 'back in' } as const;

/** `zerodown drain` → SIGTERM → start → `zerodown resume`, one of three instances at a time. */
export const rollingPatchScenario: DemoScenario = {
  name: 'rolling-patch',
  unavailable: () =>
    which('haproxy') ? undefined : 'HAProxy is not installed: the rolling patch needs a load balancer in front of its three instances (Debian/Ubuntu: apt-get install haproxy)',
  async start() {
    const version = spawnSync(which('haproxy')!, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/ - .*/, '') ?? 'HAProxy';
    const fleet = await startFleet();
    return {
      url: fleet.haproxy.url,
      description: `3 instances of examples/express-app behind ${version} (health check GET /readyz every 200 ms, out after 2 failures)`,
      async deploy(mark) {
        const timings = await rollingPatch(fleet, (e) => {
          if (e.step !== 'started') mark({ now: e.now, label: `${e.name} ${STEP_LABEL[e.step]}` });
        });
        return timings.map((t) => ({ name: t.name, ms: t.totalMs }));
      },
      stop: () => fleet.stop(),
    };
  },
};
