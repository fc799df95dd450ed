// A consumer of the published packages, type-checked by test/packaging.test.ts under moduleResolution
// node16 and bundler against the installed tarballs (not the workspace). It uses the README's API.
import { createServer } from 'node:http';
import { zerodown, redisCheck, httpCheck, ZerodownError, ZerodownConfigError, BreakerOpenError, type Zerodown, type ZerodownOptions, type CheckFn, type AlertSink, type ZerodownErrorCode } from '@zerodown/core';
import { createElbv2TargetGroups, type Elbv2Target, type LbProgress } from '@zerodown/core/lb';
import { controlRequest, type ControlStatus } from '@zerodown/core/control';
import { FleetSemaphore } from '@zerodown/core/fleet-guard';
import { webhookSink, type AlertManager } from '@zerodown/core/alerts';
import type { BreakerRegistry } from '@zerodown/core/breakers';
import { zerodownExpress, type ZerodownMiddleware } from '@zerodown/express';
import { zerodownFastify } from '@zerodown/fastify';
import { main } from '@zerodown/cli';

const options: ZerodownOptions = { serviceName: 'consumer', drain: { signals: false, exit: false }, control: { socket: false } };
const zd: Zerodown = zerodown(options);
const ping: CheckFn = async () => ({ status: 'pass' });
zd.health.register('ping', ping, { critical: true, timeoutMs: 500 });
const sink: AlertSink = { name: 'mine', send() {} };
// the fallback takes the call's arguments after the error (a fallback without parameters makes TypeScript infer none)
const charge = zd.breakers.wrap('payments', async ({ signal }, n: number) => (signal.aborted ? 0 : n * 2), { fallback: (_error: Error, n: number) => -n });
const doubled: Promise<number> = charge(21);
const breakers: BreakerRegistry = zd.breakers;
const alerts: AlertManager = zd.alerts;
const middleware: ZerodownMiddleware = zerodownExpress(zd);
zd.attach(createServer());
zd.onShutdown('db', async () => {});
const code: ZerodownErrorCode = new ZerodownConfigError('x', 'bad').code;
const isErr = (e: unknown): boolean => e instanceof ZerodownError || e instanceof BreakerOpenError;
const target: Elbv2Target = { id: 'i-0123456789abcdef0' };
const progress = (p: LbProgress): string => p.message ?? '';
const status = (s: ControlStatus): string => s.state;
export { sink, doubled, breakers, alerts, middleware, code, isErr, target, progress, status, redisCheck, httpCheck, createElbv2TargetGroups, controlRequest, FleetSemaphore, webhookSink, zerodownFastify, main };
