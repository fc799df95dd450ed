import { redactError } from '../config/redact';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Zerodown } from '../zerodown';
import { LoadBalancerSupersededError, MinHealthyError } from '../lb/errors';
import { sleep, withTimeout } from '../util/time';
import { ControlHttpError, ControlParams, readJsonBody } from './request-body';
import type { ControlCheckSummary, ControlDrainResponse, ControlErrorBody, ControlResumeResponse, ControlStatus, ControlWaitIdleResponse } from './types';

/** What the control channel needs from a zerodown instance. */
export type ControlTarget = Pick<Zerodown, 'options' | 'logger' | 'lifecycle' | 'probes' | 'health' | 'state' | 'inflight' | 'connections' | 'loadBalancer' | 'suspend' | 'resume' | 'idle'>;

const ROUTES: Record<string, string> = { '/status': 'GET', '/drain': 'POST', '/resume': 'POST', '/wait-idle': 'POST' };
const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** Builds `GET /status`. */
export function controlStatus(zd: ControlTarget, socket: string): ControlStatus {
  const checks: ControlCheckSummary[] = zd.health.list().map((c) => ({
    name: c.name,
    status: c.result?.status ?? 'pending',
    critical: c.critical,
    liveness: c.liveness,
    ...(c.result ? { durationMs: c.result.durationMs, time: c.result.time } : {}),
    ...(c.result?.output !== undefined ? { output: c.result.output } : {}),
  }));
  return {
    pid: process.pid,
    service: zd.options.serviceName,
    version: zd.options.version,
    state: zd.state,
    suspended: zd.lifecycle.suspended,
    suspendedReason: zd.lifecycle.suspendedReason,
    ready: zd.probes.isReady(),
    live: zd.probes.isLive(),
    inflight: zd.inflight,
    connections: zd.connections,
    loadBalancer: zd.loadBalancer,
    checks,
    uptimeMs: Math.round(process.uptime() * 1000),
    socket,
  };
}

/**
 * The control channel's HTTP handler: `GET /status`, `POST /drain`, `POST /resume`, `POST /wait-idle`.
 * Every answer is JSON; bad input gets 400/404/405/413 and never throws into the app.
 */
export function controlHandler(zd: ControlTarget, socket: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(zd, socket, req).then(
      ([status, body]) => send(res, status, body),
      (error: unknown) => {
        if (error instanceof ControlHttpError) return send(res, error.statusCode, { error: { code: error.code, message: error.message } }, error.headers);
        const err = redactError(error); // an adapter's message may echo an endpoint URL with credentials
        zd.logger.error({ err, path: req.url }, 'zerodown: control request failed');
        send(res, 500, { error: { code: err.code ?? 'ZERODOWN_CONTROL', message: err.message } });
      },
    );
  };
}

async function route(zd: ControlTarget, socket: string, req: IncomingMessage): Promise<[number, unknown]> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://zerodown');
  } catch {
    throw new ControlHttpError(400, 'ZERODOWN_CONTROL_BAD_REQUEST', 'malformed request URL');
  }
  const method = ROUTES[url.pathname];
  if (method === undefined) throw new ControlHttpError(404, 'ZERODOWN_CONTROL_NOT_FOUND', `no such endpoint ${url.pathname}; try GET /status, POST /drain, POST /resume, POST /wait-idle`);
  if (req.method !== method) throw new ControlHttpError(405, 'ZERODOWN_CONTROL_METHOD', `${url.pathname} expects ${method}, got ${req.method ?? '?'}`, { allow: method });
  const body = method === 'POST' ? await readJsonBody(req) : {};
  const p = new ControlParams(url.searchParams, body);
  const t0 = performance.now();
  const elapsed = (): number => Math.round(performance.now() - t0);

  switch (url.pathname) {
    case '/status':
      return [200, controlStatus(zd, socket)];
    case '/drain': {
      const reason = p.text('reason') ?? 'control';
      const deregister = (p.bool('deregister') ?? true) && zd.loadBalancer !== undefined;
      const waitIdle = p.bool('waitIdle') ?? false;
      const force = p.bool('force') ?? false;
      const timeoutMs = p.ms('timeoutMs') ?? zd.options.drain.timeoutMs;
      if (zd.state === 'stopped') throw new ControlHttpError(409, 'ZERODOWN_STATE', 'the app has already stopped');
      let idle = false;
      const r = await withTimeout(async (signal) => {
        // the request's deadline also bounds the load-balancer wait (and stops it when it expires); the
        // adapter's min-healthy guard runs first: a refusal leaves readiness as it was (409 below)
        if (deregister) await zd.suspend(reason, { timeoutMs, force });
        else {
          zd.lifecycle.suspend(reason);
          // without an adapter, the load balancer notices the failing readiness only after its checks:
          // wait the drain delay (health-check interval x unhealthy threshold) before looking for idle
          if (waitIdle && zd.options.drain.delayMs > 0) await sleep(zd.options.drain.delayMs);
        }
        if (waitIdle) {
          await zd.idle(signal);
          idle = true;
        }
      }, timeoutMs);
      if (!r.ok) throw r.timedOut ? timeout('drain', timeoutMs, deregister, waitIdle) : refusal(r.error);
      zd.logger.info({ reason, deregister, waitIdle, elapsedMs: elapsed() }, 'zerodown: drained over the control channel (still running)');
      const answer: ControlDrainResponse = { ok: true, deregistered: deregister, idle, elapsedMs: elapsed(), status: controlStatus(zd, socket) };
      return [200, answer];
    }
    case '/resume': {
      const register = (p.bool('register') ?? true) && zd.loadBalancer !== undefined;
      const timeoutMs = p.ms('timeoutMs') ?? zd.options.drain.timeoutMs;
      if (zd.state === 'draining' || zd.state === 'stopped') throw new ControlHttpError(409, 'ZERODOWN_STATE', `cannot resume: the app is ${zd.state} (shutting down)`);
      const r = await withTimeout(async () => {
        if (register) await zd.resume({ timeoutMs });
        else zd.lifecycle.resume();
      }, timeoutMs);
      if (!r.ok) throw r.timedOut ? timeout('resume', timeoutMs, register, false) : refusal(r.error);
      zd.logger.info({ register, elapsedMs: elapsed() }, 'zerodown: resumed over the control channel');
      const answer: ControlResumeResponse = { ok: true, registered: register, elapsedMs: elapsed(), status: controlStatus(zd, socket) };
      return [200, answer];
    }
    default: {
      const timeoutMs = p.ms('timeoutMs') ?? zd.options.drain.timeoutMs;
      const r = await withTimeout((signal) => zd.idle(signal), timeoutMs);
      if (!r.ok && r.timedOut) throw new ControlHttpError(504, 'ZERODOWN_TIMEOUT', `${zd.inflight} request(s) still in flight after ${timeoutMs} ms`);
      const answer: ControlWaitIdleResponse = { ok: true, inflight: zd.inflight, elapsedMs: elapsed() };
      return [200, answer];
    }
  }
}

/**
 * A refusal by the min-healthy guard is a 409 naming the reason (readiness was left as it was); so is an operation
 * cancelled by a newer one on the same load-balancer adapter (e.g. a resume cancelled by a drain). Anything else passes through.
 */
function refusal(error: unknown): unknown {
  if (error instanceof LoadBalancerSupersededError) return new ControlHttpError(409, error.code, error.message);
  if (!(error instanceof MinHealthyError)) return error;
  return new ControlHttpError(409, error.code, `${error.message.replace(/ Use force to (deregister|drain) anyway\.$/, '')} Readiness is unchanged; drain with force (zerodown drain --force) to deregister anyway.`);
}

function timeout(what: string, ms: number, lb: boolean, idle: boolean): ControlHttpError {
  const waits = [lb ? 'the load balancer' : '', idle ? 'in-flight requests' : ''].filter(Boolean).join(' and ');
  return new ControlHttpError(504, 'ZERODOWN_TIMEOUT', `${what} did not finish within ${ms} ms${waits ? ` (waiting for ${waits})` : ''}${what === 'drain' ? '; readiness stays failed' : '; readiness passes again but the load balancer did not report healthy in time'}`);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body as ControlErrorBody | object) + '\n';
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
