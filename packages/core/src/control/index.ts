/**
 * `@zerodown/core/control`: the client side of the local control channel (what `zerodown status`,
 * `drain` and `resume` use). Loads nothing else of core, so the CLI starts fast.
 */
export { controlRequest, type ControlRequestOptions } from './client';
export { findControlSockets, type FoundControlSocket, type ControlSocketSearch } from './discover';
export { controlSocketDirs, resolveControlSocket, isControlSocketOff, type ControlEnv } from './paths';
export { ControlSocketInUseError, ControlSocketPathError, ControlRequestError } from './errors';
export type { ControlCheckSummary, ControlStatus, ControlDrainRequest, ControlDrainResponse, ControlResumeRequest, ControlResumeResponse, ControlWaitIdleResponse, ControlErrorBody } from './types';
export { assertTrustedSocketPath } from './trust';
export { ControlTrustError } from './errors';
export { redactText } from '../config/redact';
