/**
 * `@zerodown/core`: the documented surface (README.md). Advanced pieces live on subpaths
 * (`@zerodown/core/lb`, `/control`, `/fleet-guard`, `/alerts`, `/breakers`; see ARCHITECTURE.md);
 * everything else is internal. Every error class is exported here (and on its area's subpath).
 * `npm run api:update` regenerates packages/core/etc/*.api.md after a deliberate change.
 */
export { zerodown, type Zerodown, type AttachOptions, type DrainResult, type ZerodownEvents, type Flusher } from './zerodown';
export type { ZerodownOptions, HealthOptions, DrainOptions, ControlOptions, LoadBalancerTimingOptions } from './config/options';
export { createDefaultLogger, silentLogger, type Logger, type LogFn, type LogLevel } from './logger';
export type { Disposer } from './util/emitter';
export type { HealthStatus, CheckFn, CheckOptions, CheckOutcome } from './health/types';
export { redisCheck, httpCheck, eventLoopDelayCheck, type RedisPingClient, type HttpCheckOptions } from './health/checks';
export type { ProbeKind, ProbeMatching } from './probes/probes';
export type { LifecycleState } from './lifecycle/state';
export type { ShutdownHook, ShutdownHookOptions } from './drain/hooks';
export type { AttachableServer } from './drain/server-tracker';
export type { AlertOptions, Alert, AlertLevel, AlertSink, OnCallMeta } from './alerts';
export type { BreakerOptions, BreakerFallback, BreakerCall, BreakerInfo, BreakerState } from './breakers/types';
export type { MonitorOptions, ServerMetric, Threshold } from './monitors';
export type { SheddingOptions } from './shedding';
export type { FleetOptions, FleetRedis } from './fleet';
export type { LoadBalancerAdapter, LoadBalancerContext, UseLoadBalancerOptions } from './lb/adapter';
export { elbv2Adapter, type Elbv2AdapterOptions } from './lb/elbv2/adapter';
export { haproxyAdapter, type HaproxyAdapterOptions } from './lb/haproxy/adapter';
export { ZerodownError, ZerodownConfigError, CheckFailedError, DuplicateCheckError, LifecycleStateError, HookTimeoutError, type ZerodownErrorCode } from './errors';
export { BreakerOpenError, BreakerTimeoutError } from './breakers/errors';
export { LoadBalancerError, LoadBalancerTimeoutError, MinHealthyError, ImdsError, LoadBalancerSupersededError } from './lb/errors';
export { ControlSocketInUseError, ControlSocketPathError, ControlRequestError, ControlTrustError } from './control/errors';
export { FleetGuardError, FleetLockTimeoutError } from './fleet-guard/errors';
export { ReloadBusyError, ReloadFailedError, MasterStateError } from './cluster/errors';
export type { DrainCallOptions } from './zerodown';
export { processRuntime, type Runtime } from './drain/runtime';
export { SIGNAL_DEBOUNCE_MS } from './drain/signals';
export type { ClosedSocket } from './drain/server-tracker';
export type { WebSocketServerLike, WebSocketLike } from './drain/upgrades';
