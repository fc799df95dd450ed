import { BREAKER_CHECK_PREFIX, BreakerRegistry } from '../breakers/registry';
import type { ResolvedBreakerDefaults } from '../breakers/types';
import type { FleetCoordinator } from '../fleet/coordinator';
import type { ResolvedFleetOptions } from '../fleet/types';
import type { HealthRegistry } from '../health/registry';
import type { Logger } from '../logger';
import type { ServerMonitor } from '../monitors/server-monitor';
import type { ResolvedMonitorOptions } from '../monitors/types';
import { Shedder, type ResolvedSheddingOptions } from '../shedding/shedder';
import type { Disposer } from '../util/emitter';
import { AlertManager } from '../alerts/manager';
import type { ResolvedAlertOptions } from '../alerts/options';
import { loggerSink } from '../alerts/sinks/logger';
import { rollbarSink } from '../alerts/sinks/rollbar';
import { breakerAlerts } from '../alerts/sources/breakers';
import { healthAlerts } from '../alerts/sources/health';
import { processAlerts } from '../alerts/sources/process';

/** What the resilience parts need from the zerodown instance. */
export interface ResilienceHost {
  readonly options: {
    serviceName: string | undefined;
    breakers: ResolvedBreakerDefaults;
    alerts: ResolvedAlertOptions;
    monitors: ResolvedMonitorOptions;
    shedding: ResolvedSheddingOptions;
    fleet: ResolvedFleetOptions;
  };
  readonly logger: Logger;
  readonly health: HealthRegistry;
  onFlush(name: string, fn: (signal: AbortSignal) => Promise<void> | void): Disposer;
  on(event: 'drain:forced', fn: (cut: number, inflight: number) => void): Disposer;
  on(event: 'drain:hook-failed', fn: (report: { name: string; outcome: string; durationMs: number }, error: unknown) => void): Disposer;
  on(event: 'drain:end', fn: () => void): Disposer;
  drain(reason: string, options?: { crash?: boolean }): Promise<unknown>;
}

/** Breakers, alerts, server monitors, load shedding and fleet coordination of one zerodown instance. */
export interface Resilience {
  breakers: BreakerRegistry;
  alerts: AlertManager;
  monitors: ServerMonitor | undefined;
  shedding: Shedder;
  fleet: FleetCoordinator | undefined;
  /** Stops background work (drain end keeps breakers usable; `dispose` stops everything). */
  stopBackground(): void;
  dispose(): void;
}

/** Builds and wires the resilience parts from the resolved options. */
export function createResilience(host: ResilienceHost): Resilience {
  const o = host.options;
  const logger = host.logger;
  const alerts = new AlertManager({ forMs: o.alerts.forMs, maxPerMinute: o.alerts.maxPerMinute, service: o.serviceName, logger, instanceId: o.alerts.instanceId });
  const breakers = new BreakerRegistry(o.breakers, host.health, (error) => logger.error({ err: error }, 'zerodown: breaker listener threw'));
  const shedding = new Shedder(o.shedding, logger);
  const disposers: Disposer[] = [];
  let monitors: ServerMonitor | undefined;
  let fleet: FleetCoordinator | undefined;

  if (o.alerts.enabled) {
    if (o.alerts.log) alerts.addSink(loggerSink(logger));
    if (o.alerts.rollbar !== false) {
      const rb = rollbarSink({ ...(o.alerts.rollbar ? { rollbar: o.alerts.rollbar } : {}), env: o.alerts.env, logger });
      if (rb) alerts.addSink(rb);
    }
    // (sinks, monitors and the fleet load only when configured: a process holds only the code it uses)
    if (o.alerts.newrelic) alerts.addSink((require('../alerts/sinks/newrelic') as typeof import('../alerts/sinks/newrelic')).newRelicSink(o.alerts.newrelic));
    for (const w of o.alerts.webhooks) alerts.addSink((require('../alerts/sinks/webhook') as typeof import('../alerts/sinks/webhook')).webhookSink(w, logger));
    for (const s of o.alerts.sinks) alerts.addSink(s);

    disposers.push(breakerAlerts(breakers, alerts));
    if (o.alerts.healthChecks) disposers.push(healthAlerts(host.health, alerts, (name) => name.startsWith(BREAKER_CHECK_PREFIX)));
    disposers.push(
      host.on('drain:forced', (cut, inflight) =>
        alerts.notify({
          key: 'application:drain-forced',
          scope: 'instance',
          level: 'error',
          source: 'application',
          title: `Drain deadline reached: ${cut} connection(s) cut with ${inflight} request(s) in flight`,
          details: { cut, inflight },
        }),
      ),
    );
    disposers.push(
      host.on('drain:hook-failed', (report, error) =>
        alerts.notify({
          key: `application:drain-hook-failed:${report.name}`,
          scope: 'instance',
          level: 'error',
          source: 'application',
          title: `Shutdown hook "${report.name}" ${report.outcome === 'timeout' ? `timed out after ${report.durationMs} ms` : 'failed'} during the drain`,
          details: { hook: report.name, outcome: report.outcome, durationMs: report.durationMs, error: error instanceof Error ? error.message : String(error) },
        }),
      ),
    );
    if (o.alerts.processErrors) disposers.push(processAlerts(host, alerts));
    disposers.push(host.onFlush('alerts', (signal) => alerts.flush(signal, { final: true })));
  }
  // monitors sample even with alerts off (zd.monitors.latest()); they raise server alerts only with alerts on
  if (o.monitors.enabled) {
    const { ServerMonitor } = require('../monitors/server-monitor') as typeof import('../monitors/server-monitor');
    monitors = new ServerMonitor(o.monitors, o.alerts.enabled ? alerts : undefined, logger);
    monitors.start();
  }
  if (o.fleet.redis) {
    const { FleetCoordinator } = require('../fleet/coordinator') as typeof import('../fleet/coordinator');
    fleet = new FleetCoordinator(o.fleet.redis, o.fleet, logger, alerts.instanceId);
    alerts.setDeduper(fleet.dedupe);
    fleet.attach(breakers);
  }

  let stopped = false;
  const stopBackground = (): void => {
    if (stopped) return;
    stopped = true;
    monitors?.dispose();
    shedding.dispose();
    fleet?.dispose();
  };
  disposers.push(host.on('drain:end', stopBackground));
  return {
    breakers,
    alerts,
    monitors,
    shedding,
    fleet,
    stopBackground,
    dispose() {
      stopBackground();
      for (const d of disposers.splice(0)) d();
      breakers.dispose();
      alerts.dispose();
    },
  };
}
