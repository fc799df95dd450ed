export { FleetCoordinator } from './coordinator';
export { SafeRedis } from './safe-redis';
export { resolveFleetOptions, type FleetOptions, type FleetRedis, type ResolvedFleetOptions } from './types';
