export { ControlChannel, startControlChannel, type ControlChannelOptions } from './channel';
export { controlHandler, controlStatus, type ControlTarget } from './handler';
export { controlRequest, explainSocketError, type ControlRequestOptions } from './client';
export { findControlSockets, type FoundControlSocket, type ControlSocketSearch } from './discover';
export { controlSocketDirs, controlSocketName, resolveControlSocket, isControlSocketOff, MAX_SOCKET_PATH_BYTES, type ControlEnv } from './paths';
export { probeSocket, prepareSocketPath, pruneStaleSockets, type SocketProbe } from './socket-file';
export { MAX_CONTROL_BODY_BYTES } from './request-body';
export { ControlSocketInUseError, ControlSocketPathError, ControlRequestError } from './errors';
export type * from './types';
