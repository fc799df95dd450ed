import type { LifecycleState } from '../lifecycle/state';
import type { AlertDedupeReply, AlertDedupeRequest } from './host-dedupe';

/** Worker → master: the worker runs zerodown (sent once, when the zerodown instance is created). */
export interface HelloMessage {
  zerodown: 'hello';
}
/** Worker → master: `zd.ready()` was called and every critical check passes. */
export interface ReadyMessage {
  zerodown: 'ready';
}
/** Worker → master: answer to a {@link StatusRequest}. */
export interface StatusReply {
  zerodown: 'status';
  id: number;
  state: LifecycleState;
  ready: boolean;
  inflight: number;
  connections: number;
}
/** Messages a worker sends to the master. */
export type WorkerMessage = HelloMessage | ReadyMessage | StatusReply | AlertDedupeRequest;

/** Master → worker: run the drain pipeline now, without the load-balancer delay (the master already stopped routing here). */
export interface DrainRequest {
  zerodown: 'drain';
  reason: string;
}
/** Master → worker: fail readiness (the host is draining) while serving normally. */
export interface SuspendRequest {
  zerodown: 'suspend';
  reason: string;
}
/** Master → worker: report state and in-flight requests. */
export interface StatusRequest {
  zerodown: 'status';
  id: number;
}
/** Messages the master sends to a worker. */
export type MasterMessage = DrainRequest | SuspendRequest | StatusRequest | AlertDedupeReply;

const WORKER_KINDS = new Set(['hello', 'ready', 'status', 'alert-dedupe']);
const MASTER_KINDS = new Set(['drain', 'suspend', 'status', 'alert-dedupe']);

/** True for a message a zerodown worker sends. */
export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && WORKER_KINDS.has((m as { zerodown?: unknown }).zerodown as string);
}

/** True for a message the zerodown master sends. */
export function isMasterMessage(m: unknown): m is MasterMessage {
  return typeof m === 'object' && m !== null && MASTER_KINDS.has((m as { zerodown?: unknown }).zerodown as string);
}
