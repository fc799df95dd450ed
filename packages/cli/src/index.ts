export { main, buildProgram } from './program';
export { EXIT, exitCodeFor, type ExitCode } from './exit-codes';
