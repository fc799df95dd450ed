type Control = typeof import('@zerodown/core/control');
type Fleet = typeof import('@zerodown/core/fleet-guard');
type Lb = typeof import('@zerodown/core/lb');
type Cluster = typeof import('@zerodown/core/cluster');

/** The part of core the local commands (`status`, `drain`, `resume`) need. */
export type CoreControl = Pick<Control, 'controlRequest' | 'findControlSockets' | 'controlSocketDirs' | 'isControlSocketOff' | 'ControlRequestError' | 'redactText'>;
/** The part of core the fleet guard needs. */
export type CoreFleet = Pick<Fleet, 'FleetSemaphore' | 'holdFleetSlot' | 'connectFleetRedis' | 'redactRedisUrl' | 'redactSecretsIn' | 'FleetGuardError'>;

/** Core's control-channel module (the `@zerodown/core/control` subpath: starts fast, loads nothing else). */
export function loadControl(): CoreControl {
  return require('@zerodown/core/control') as CoreControl;
}

/** Core's fleet-guard module (the `@zerodown/core/fleet-guard` subpath). */
export function loadFleet(): CoreFleet {
  return require('@zerodown/core/fleet-guard') as CoreFleet;
}

/** Core's load-balancer clients (the `@zerodown/core/lb` subpath: loads the AWS SDK only when a command runs). */
export function loadLb(): Lb {
  return require('@zerodown/core/lb') as Lb;
}

/** Core's serve/reload master (the `@zerodown/core/cluster` subpath). */
export function loadCluster(): Cluster {
  return require('@zerodown/core/cluster') as Cluster;
}
