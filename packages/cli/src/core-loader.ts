import { dirname, join } from 'node:path';

type Core = typeof import('@zerodown/core');

/** The part of core the local commands (`status`, `drain`, `resume`) need. */
export type CoreControl = Pick<Core, 'controlRequest' | 'findControlSockets' | 'controlSocketDirs' | 'ControlRequestError'>;
/** The part of core the fleet guard needs. */
export type CoreFleet = Pick<Core, 'FleetSemaphore' | 'holdFleetSlot' | 'connectFleetRedis' | 'redactRedisUrl' | 'redactSecretsIn'>;

/**
 * Loads one of core's sub-modules (`control`, `fleet-guard`) without loading all of core, so the local
 * commands start fast; falls back to the whole package when the file layout differs.
 */
function loadCorePart<T>(part: string): T {
  try {
    const root = dirname(require.resolve('@zerodown/core/package.json'));
    return require(join(root, 'dist', part, 'index.js')) as T;
  } catch {
    return require('@zerodown/core') as T;
  }
}

/** Core's control-channel module. */
export function loadControl(): CoreControl {
  return loadCorePart<CoreControl>('control');
}

/** Core's fleet-guard module. */
export function loadFleet(): CoreFleet {
  return loadCorePart<CoreFleet>('fleet-guard');
}

/** All of core (load-balancer commands: loads the AWS SDK only when they run). */
export function loadCore(): Core {
  return require('@zerodown/core') as Core;
}
