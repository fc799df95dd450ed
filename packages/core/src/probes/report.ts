import type { CheckState, HealthStatus } from '../health/types';

/** An IETF health-check (draft-inadarei-api-health-check) component entry. */
export interface HealthComponent {
  componentId: string;
  componentType: string;
  status: HealthStatus;
  observedValue?: number | string | boolean;
  observedUnit?: string;
  time?: string;
  output?: string;
  critical: boolean;
}

/** An IETF health-check response body (`application/health+json`). */
export interface HealthReport {
  status: HealthStatus;
  version?: string;
  serviceId?: string;
  description?: string;
  output?: string;
  notes?: string[];
  checks?: Record<string, HealthComponent[]>;
}

/** Builds the detailed report body from the checks. */
export function buildReport(
  status: HealthStatus,
  checks: readonly CheckState[],
  meta: { serviceId?: string | undefined; version?: string | undefined; state: string; output?: string | undefined },
): HealthReport {
  const out: Record<string, HealthComponent[]> = {};
  for (const c of checks) {
    const r = c.result;
    const entry: HealthComponent = {
      componentId: c.name,
      componentType: c.componentType,
      status: r?.status ?? (c.critical ? 'fail' : 'warn'),
      critical: c.critical,
    };
    if (r) {
      if (r.observedValue !== undefined) entry.observedValue = r.observedValue;
      if (r.observedUnit !== undefined) entry.observedUnit = r.observedUnit;
      entry.time = r.time;
      if (r.output !== undefined) entry.output = r.output;
    } else entry.output = 'pending: no result yet';
    (out[`${c.name}:${c.measurement}`] ??= []).push(entry);
  }
  const report: HealthReport = { status };
  if (meta.version !== undefined) report.version = meta.version;
  if (meta.serviceId !== undefined) report.serviceId = meta.serviceId;
  if (meta.output !== undefined) report.output = meta.output;
  report.notes = [`state: ${meta.state}`];
  report.checks = out;
  return report;
}
