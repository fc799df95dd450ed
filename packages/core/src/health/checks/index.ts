export { redisCheck, type RedisPingClient } from './redis';
export { httpCheck, type HttpCheckOptions } from './http';
export { eventLoopDelayCheck } from './event-loop';
