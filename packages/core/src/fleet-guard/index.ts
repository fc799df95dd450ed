export { FleetSemaphore, type FleetSemaphoreOptions, type FleetAcquireOptions } from './semaphore';
export { holdFleetSlot, type FleetHold } from './hold';
export { connectFleetRedis, redactRedisUrl, redactSecretsIn, type FleetRedisClient } from './redis-client';
export { FleetGuardError, FleetLockTimeoutError } from './errors';
