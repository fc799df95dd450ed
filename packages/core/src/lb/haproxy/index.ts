export { HaproxyRuntimeClient, checkHaproxyName, type HaproxyRuntimeOptions, type HaproxySocketAddress, type HaproxyServerAdminState } from './runtime-api';
export { parseServersState, parseShowStat, type HaproxyServerState, type HaproxyServerStat, type HaproxyOpState, type HaproxyAdminFlag } from './parse';
export { drainServer, readyServer, HAPROXY_DEFAULTS, type HaproxyWaitOptions } from './server-control';
export { haproxyAdapter, type HaproxyAdapterOptions } from './adapter';
export { HaproxyRuntimeError, isTransientHaproxyError } from './retryable';
