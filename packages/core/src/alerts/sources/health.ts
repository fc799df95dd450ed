import type { HealthRegistry } from '../../health/registry';
import type { Disposer } from '../../util/emitter';
import type { AlertManager } from '../manager';
import { onCallOf } from '../on-call';

/**
 * Application alerts from health checks: a check going `fail` raises `application:check:<name>`
 * (critical checks at `critical`, others at `warning`); recovering resolves it. `skip` excludes checks
 * reported elsewhere (breakers). Fleet-scoped: a dependency failing is usually seen by every instance, so
 * the fleet gets one firing alert and one resolved alert once the last instance reporting it recovers.
 * Debounced by `alerts.forMs`.
 */
export function healthAlerts(health: HealthRegistry, alerts: AlertManager, skip: (name: string) => boolean): Disposer {
  return health.on('change', (name, result, _previous, state) => {
    if (skip(name)) return;
    const key = `application:check:${name}`;
    if (result.status === 'fail') {
      alerts.raise({
        key,
        level: state.critical ? 'critical' : 'warning',
        source: 'application',
        title: `Health check "${name}" is failing${state.critical ? ': the instance is out of rotation' : ''}`,
        details: { check: name, critical: state.critical, liveness: state.liveness, output: result.output },
        ...onCallOf(state),
      });
    } else alerts.clear(key, { status: result.status });
  });
}
