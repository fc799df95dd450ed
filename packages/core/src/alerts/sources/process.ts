import type { AlertManager } from '../manager';

/** What {@link processAlerts} needs from the zerodown instance. */
export interface ProcessAlertHost {
  drain(reason: string, options: { crash: true }): Promise<unknown>;
}

/**
 * Opt-in: an uncaught exception or unhandled rejection is reported (`critical`) and followed by a
 * graceful drain instead of an abrupt exit; the drain exits 1 (a crash, so `Restart=on-failure`
 * supervisors restart the service), also when the crash happens during a drain. The key is instance-scoped (`application:<kind>@<instanceId>`).
 * Returns a disposer that removes both listeners.
 */
export function processAlerts(host: ProcessAlertHost, alerts: AlertManager): () => void {
  const report = (kind: 'uncaughtException' | 'unhandledRejection', error: unknown): void => {
    const e = error instanceof Error ? error : new Error(String(error));
    alerts.notify({
      key: `application:${kind}`,
      scope: 'instance',
      level: 'critical',
      source: 'application',
      title: `${kind === 'uncaughtException' ? 'Uncaught exception' : 'Unhandled rejection'}: ${e.message}; draining the instance`,
      details: { kind, error: e.name, message: e.message, stack: e.stack?.split('\n').slice(0, 10).join('\n') },
    });
    void host.drain(kind, { crash: true });
  };
  const onException = (error: unknown): void => report('uncaughtException', error);
  const onRejection = (reason: unknown): void => report('unhandledRejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.removeListener('uncaughtException', onException);
    process.removeListener('unhandledRejection', onRejection);
  };
}
