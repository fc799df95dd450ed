/**
 * `@zerodown/core/cluster`: the `zerodown serve` master (node:cluster) and the `zerodown reload`
 * client, for the CLI and for apps that embed the master. The worker side starts by itself inside
 * `zerodown()` when the process runs under the master.
 */
export { createMaster, type Master, type MasterStatus, type MasterWorkerStatus } from './master';
export { MASTER_DEFAULTS, type MasterOptions } from './options';
export type { ReloadEvent, ReloadResult } from './reload';
export { requestReload, ReloadRequestError } from './reload-client';
export type { ReloadStreamLine } from './master-control';
export type { Release } from './release';
export type { WorkerState } from './worker-handle';
export { ReloadBusyError, ReloadFailedError, MasterStateError } from './errors';
