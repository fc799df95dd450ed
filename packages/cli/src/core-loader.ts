type Core = typeof import('@zerodown/core');

/** The part of core the local commands (`status`, `drain`, `resume`) need. */
export type CoreControl = Pick<Core, 'controlRequest' | 'findControlSockets' | 'controlSocketDirs' | 'isControlSocketOff' | 'ControlRequestError' | 'redactText'>;
/** The part of core the fleet guard needs. */
export type CoreFleet = Pick<Core, 'FleetSemaphore' | 'holdFleetSlot' | 'connectFleetRedis' | 'redactRedisUrl' | 'redactSecretsIn' | 'FleetGuardError'>;

/** Core's control-channel module (the `@zerodown/core/control` subpath: starts fast, loads nothing else). */
export function loadControl(): CoreControl {
  return require('@zerodown/core/control') as CoreControl;
}

/** Core's fleet-guard module (the `@zerodown/core/fleet-guard` subpath). */
export function loadFleet(): CoreFleet {
  return require('@zerodown/core/fleet-guard') as CoreFleet;
}

/** All of core (load-balancer commands: loads the AWS SDK only when they run). */
export function loadCore(): Core {
  return require('@zerodown/core') as Core;
}
