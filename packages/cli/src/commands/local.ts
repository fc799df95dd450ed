import type { Command } from 'commander';
import type { ControlDrainResponse, ControlResumeResponse, ControlStatus } from '@zerodown/core';
import { loadControl } from '../core-loader';
import { EXIT, type ExitCode } from '../exit-codes';
import { addFleetOptions, defaultHolder, openFleet, type FleetCliOptions } from '../fleet';
import { Output } from '../output';
import { durationOption, formatMs } from '../parse';
import { resolveSocket, type SocketOptions } from '../socket';

interface CommonOptions extends SocketOptions {
  json?: boolean;
}

/**
 * Runs a command body and records its exit code; `cmd` (the running command) is for the usage text shown
 * when core rejects a value (exit 2).
 */
export type Run = (fn: (out: Output) => Promise<ExitCode>, json: boolean | undefined, cmd?: Command) => Promise<void>;

function addSocketOptions(cmd: Command): Command {
  return cmd
    .option('--socket <path>', "the app's control socket (default: $ZERODOWN_CONTROL_SOCKET, else the only app found under $XDG_RUNTIME_DIR/zerodown, /run/zerodown or $TMPDIR/zerodown-<uid>)")
    .option('--service <name>', 'pick the app by service name when several run on this host')
    .option('--json', 'print one JSON document on stdout (for scripts)');
}

/** Renders a status for humans. */
export function formatStatus(s: ControlStatus): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const lines = [
    `${s.service ?? 'app'}${s.version ? ` ${s.version}` : ''} (pid ${s.pid}): ${s.state}${s.suspended ? ` (suspended${s.suspendedReason ? `: ${s.suspendedReason}` : ''})` : ''}`,
    `  ready: ${yes(s.ready)}  live: ${yes(s.live)}  in flight: ${s.inflight}  connections: ${s.connections}  up: ${formatMs(s.uptimeMs)}`,
    `  load balancer: ${s.loadBalancer ?? 'none'}  socket: ${s.socket}`,
  ];
  for (const c of s.checks) lines.push(`  check ${c.name}: ${c.status}${c.critical ? '' : ' (non-critical)'}${c.liveness ? ' (liveness)' : ''}${c.durationMs !== undefined ? ` ${c.durationMs}ms` : ''}`);
  return lines.join('\n');
}

/** Polls /status while a long request runs, feeding the progress line. */
function watchStatus(socket: string, out: Output, what: string, deadlineMs: number, describe: (s: ControlStatus) => string): () => void {
  if (out.json) return () => {};
  const { controlRequest } = loadControl();
  const t0 = performance.now();
  let stopped = false;
  const tick = async (): Promise<void> => {
    while (!stopped) {
      const s = await controlRequest<ControlStatus>(socket, { path: '/status', timeoutMs: 2000 }).catch(() => undefined);
      if (stopped) return;
      if (s) out.progress(what, describe(s), performance.now() - t0, deadlineMs);
      await new Promise((r) => setTimeout(r, out.tty ? 250 : 1000).unref());
    }
  };
  void tick();
  return () => {
    stopped = true;
  };
}

/** Registers `status`, `drain` and `resume`. */
export function registerLocalCommands(program: Command, run: Run): void {
  addSocketOptions(program.command('status').description("show the local app's state, readiness, in-flight requests and checks")).action((opts: CommonOptions, cmd: Command) =>
    run(async (out) => {
      const socket = await resolveSocket(opts);
      const s = await loadControl().controlRequest<ControlStatus>(socket, { path: '/status' });
      out.result(s, () => formatStatus(s));
      return EXIT.ok;
    }, opts.json, cmd),
  );

  addFleetOptions(
    addSocketOptions(program.command('drain').description('fail readiness (and deregister through the app\'s load-balancer adapter) without stopping the app'))
      .option('--wait-idle', 'also wait until no request is in flight')
      .option('--no-deregister', "do not deregister through the app's load-balancer adapter")
      .option('--force', "deregister even when the adapter's min-healthy guard refuses (without it, a refusal exits 1 and readiness is left as it was)")
      .option('--reason <text>', 'shown in /health and the logs', 'zerodown drain')
      .addOption(durationOption('--timeout <duration>', "deadline of the whole drain: the wait for the app's load-balancer adapter and for in-flight requests", 5 * 60 * 1000))
      .option('--holder <id>', 'fleet guard: holder id of this instance (default <hostname>:<service>)'),
  ).action((opts: CommonOptions & FleetCliOptions & { waitIdle?: boolean; deregister: boolean; force?: boolean; reason: string; timeout: number }, cmd: Command) =>
    run(async (out) => {
      const { controlRequest } = loadControl();
      const socket = await resolveSocket(opts);
      const before = await controlRequest<ControlStatus>(socket, { path: '/status' });
      const service = opts.service ?? before.service ?? 'app';
      const fleet = await openFleet(opts, service);
      try {
        if (fleet) await fleet.acquire(opts.holder ?? defaultHolder(service), out);
        const stop = watchStatus(socket, out, `drain ${service}`, opts.timeout, (s) => `${s.ready ? 'ready' : 'not ready'}, ${s.inflight} in flight${before.loadBalancer && opts.deregister ? `, deregistering from ${before.loadBalancer}` : ''}`);
        let r: ControlDrainResponse;
        try {
          r = await controlRequest<ControlDrainResponse>(socket, {
            method: 'POST',
            path: '/drain',
            body: { reason: opts.reason, deregister: opts.deregister, force: opts.force ?? false, waitIdle: opts.waitIdle ?? false, timeoutMs: opts.timeout },
            timeoutMs: opts.timeout + 5000,
          });
        } finally {
          stop();
        }
        out.result(r, () => `drained ${service} (pid ${r.status.pid}) in ${formatMs(r.elapsedMs)}: readiness failing${r.deregistered ? `, deregistered from ${r.status.loadBalancer}` : ''}${r.idle ? ', no request in flight' : `, ${r.status.inflight} in flight`}; the app keeps running (resume with: zerodown resume)`);
        return EXIT.ok;
      } finally {
        await fleet?.close();
      }
    }, opts.json, cmd),
  );

  addFleetOptions(
    addSocketOptions(program.command('resume').description('pass readiness again (and register through the app\'s load-balancer adapter), then wait until ready'))
      .option('--no-register', "do not register through the app's load-balancer adapter")
      .option('--no-wait-ready', 'return without waiting for readiness to pass')
      .addOption(durationOption('--timeout <duration>', "deadline for registering through the app's load-balancer adapter and for readiness to pass", 5 * 60 * 1000))
      .option('--holder <id>', 'fleet guard: holder id of this instance (default <hostname>:<service>)'),
  ).action((opts: CommonOptions & FleetCliOptions & { register: boolean; waitReady: boolean; timeout: number }, cmd: Command) =>
    run(async (out) => {
      const { controlRequest, ControlRequestError } = loadControl();
      const socket = await resolveSocket(opts);
      const t0 = performance.now();
      const r = await controlRequest<ControlResumeResponse>(socket, { method: 'POST', path: '/resume', body: { register: opts.register, timeoutMs: opts.timeout }, timeoutMs: opts.timeout + 5000 });
      const service = opts.service ?? r.status.service ?? 'app';
      let status = r.status;
      if (opts.waitReady) {
        while (!status.ready) {
          const elapsed = performance.now() - t0;
          const failing = status.checks.filter((c) => c.critical && !c.liveness && c.status !== 'pass' && c.status !== 'warn').map((c) => `${c.name}: ${c.status}`);
          if (elapsed > opts.timeout) {
            throw new ControlRequestError(socket, `resumed, but readiness did not pass within ${formatMs(opts.timeout)} (state ${status.state}${failing.length ? `; failing: ${failing.join(', ')}` : ''})`, { timedOut: true });
          }
          out.progress(`resume ${service}`, `waiting for readiness${failing.length ? ` (failing: ${failing.join(', ')})` : ''}`, elapsed, opts.timeout);
          await new Promise((res) => setTimeout(res, 200));
          status = await controlRequest<ControlStatus>(socket, { path: '/status' });
        }
      }
      const fleet = await openFleet(opts, service);
      let released = false;
      try {
        if (fleet) released = await fleet.release(opts.holder ?? defaultHolder(service));
      } finally {
        await fleet?.close();
      }
      const result = { ...r, ready: status.ready, status, ...(fleet ? { fleetSlotReleased: released } : {}) };
      out.result(result, () => `resumed ${service} (pid ${status.pid}) in ${formatMs(performance.now() - t0)}: ${status.ready ? 'ready' : 'not ready yet'}${r.registered ? `, registered with ${status.loadBalancer}` : ''}${fleet ? (released ? ', fleet slot released' : ', held no fleet slot') : ''}`);
      return EXIT.ok;
    }, opts.json, cmd),
  );
}
