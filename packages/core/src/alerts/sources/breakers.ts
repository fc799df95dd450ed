import type { BreakerRegistry } from '../../breakers/registry';
import type { Disposer } from '../../util/emitter';
import type { AlertManager } from '../manager';
import { onCallOf } from '../on-call';

/**
 * Third-party alerts: a breaker leaving `closed` raises `third-party:breaker:<name>` (fleet-scoped: every
 * instance sees the same vendor); closing resolves it. No debounce by default (`alertForMs` 0): opening
 * already needs `volumeThreshold` calls and `errorThresholdPercentage` failures over the rolling window.
 */
export function breakerAlerts(breakers: BreakerRegistry, alerts: AlertManager): Disposer {
  return breakers.on('state', (name, state, previous, breaker) => {
    const key = `third-party:breaker:${name}`;
    const o = breaker.options;
    if (o.alert === false) return;
    if (state === 'closed') {
      alerts.clear(key, { state, previous });
      return;
    }
    if (previous !== 'closed') return; // open <-> half-open is the same outage
    const info = breaker.info();
    alerts.raise({
      key,
      level: o.alertLevel ?? 'error',
      source: 'third-party',
      title: `Breaker "${name}" is open: calls to this third party fail fast${o.fallback ? ' with the fallback' : ''}`,
      details: { breaker: name, state, fleet: breaker.fleetOpen, counts: info.counts },
      forMs: o.alertForMs ?? 0,
      ...onCallOf(o),
    });
  });
}
