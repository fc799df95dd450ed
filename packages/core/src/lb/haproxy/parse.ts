/** HAProxy's operational state of a server (`srv_op_state`). */
export type HaproxyOpState = 'stopped' | 'starting' | 'running' | 'stopping' | 'unknown';

/** Administrative flags (`srv_admin_state` bits). */
export type HaproxyAdminFlag = 'maint' | 'maint-inherited' | 'maint-config' | 'drain' | 'drain-inherited' | 'maint-resolution' | 'maint-hostname';

/** One row of `show servers state`. */
export interface HaproxyServerState {
  backend: string;
  server: string;
  address: string;
  port?: number;
  opState: HaproxyOpState;
  adminFlags: HaproxyAdminFlag[];
  /** Raw fields by header name (`srv_check_status`, `srv_uweight`, ...). */
  fields: Record<string, string>;
}

/** One server row of `show stat`. */
export interface HaproxyServerStat {
  backend: string;
  server: string;
  /** `UP`, `DOWN`, `DRAIN`, `MAINT`, `UP 1/3`, `no check`, ... */
  status: string;
  /** Current sessions (`scur`). */
  currentSessions: number;
  /** Last health check result (`check_status`), e.g. `L7OK`, `L4CON`. */
  checkStatus?: string;
  /** Raw fields by CSV column name. */
  fields: Record<string, string>;
}

const OP_STATES: HaproxyOpState[] = ['stopped', 'starting', 'running', 'stopping'];
const ADMIN_BITS: Array<[number, HaproxyAdminFlag]> = [
  [0x01, 'maint'],
  [0x02, 'maint-inherited'],
  [0x04, 'maint-config'],
  [0x08, 'drain'],
  [0x10, 'drain-inherited'],
  [0x20, 'maint-resolution'],
  [0x40, 'maint-hostname'],
];

/** Parses the output of `show servers state [backend]` (format version 1: a version line, a `#` header, rows). */
export function parseServersState(text: string): HaproxyServerState[] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const headerLine = lines.find((l) => l.startsWith('#'));
  if (!headerLine) return [];
  const header = headerLine.replace(/^#\s*/, '').split(/\s+/);
  const out: HaproxyServerState[] = [];
  for (const line of lines) {
    if (line.startsWith('#') || /^\d+$/.test(line)) continue;
    const cols = line.split(/\s+/);
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      if (cols[i] !== undefined) fields[h] = cols[i]!;
    });
    const admin = Number(fields.srv_admin_state ?? '0');
    const port = Number(fields.srv_port);
    out.push({
      backend: fields.be_name ?? '',
      server: fields.srv_name ?? '',
      address: fields.srv_addr ?? '',
      port: Number.isInteger(port) && port > 0 ? port : undefined,
      opState: OP_STATES[Number(fields.srv_op_state)] ?? 'unknown',
      adminFlags: ADMIN_BITS.filter(([bit]) => (admin & bit) !== 0).map(([, f]) => f),
      fields,
    });
  }
  return out;
}

/** Parses `show stat` CSV into server rows (frontends, backends' aggregate rows and listeners are skipped). */
export function parseShowStat(text: string): HaproxyServerStat[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const headerLine = lines.find((l) => l.startsWith('#'));
  if (!headerLine) return [];
  const header = headerLine.replace(/^#\s*/, '').split(',');
  const out: HaproxyServerStat[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const cols = line.split(',');
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      if (h) fields[h] = cols[i] ?? '';
    });
    // type: 0 frontend, 1 backend, 2 server, 3 listener
    if (fields.type !== undefined ? fields.type !== '2' : fields.svname === 'FRONTEND' || fields.svname === 'BACKEND') continue;
    out.push({
      backend: fields.pxname ?? '',
      server: fields.svname ?? '',
      status: fields.status ?? '',
      currentSessions: Number(fields.scur || '0'),
      checkStatus: fields.check_status || undefined,
      fields,
    });
  }
  return out;
}
