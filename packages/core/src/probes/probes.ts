import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthRegistry } from '../health/registry';
import type { CheckState, HealthStatus } from '../health/types';
import type { Lifecycle } from '../lifecycle/state';
import { buildReport } from './report';

/** Which probe a path names. */
export type ProbeKind = 'live' | 'ready' | 'health';

/** A framework-free probe answer; adapters copy it onto their response object. */
export interface ProbeResponse {
  statusCode: number;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** How loosely a probe URL may name a probe path, the way a framework's router matches routes. */
export interface ProbeMatching {
  /** `/readyz/` names `/readyz`. */
  ignoreTrailingSlash?: boolean;
  /** `/READYZ` names `/readyz`. */
  caseInsensitive?: boolean;
  /** `//readyz` names `/readyz`. */
  ignoreDuplicateSlashes?: boolean;
}

/** Settings of {@link Probes}. */
export interface ProbeSettings {
  paths: { live: string; ready: string; health: string };
  token: string | undefined;
  exposeDetails: boolean;
  serviceName: string | undefined;
  version: string | undefined;
}

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/health+json', 'cache-control': 'no-cache, no-store, must-revalidate' });
const NOT_ALLOWED: ProbeResponse = Object.freeze({
  statusCode: 405,
  headers: Object.freeze({ ...JSON_HEADERS, allow: 'GET, HEAD' }),
  body: '{"status":"fail","output":"method not allowed"}',
});
const PUBLIC: Record<HealthStatus, ProbeResponse> = {
  pass: Object.freeze({ statusCode: 200, headers: JSON_HEADERS, body: '{"status":"pass"}' }),
  warn: Object.freeze({ statusCode: 200, headers: JSON_HEADERS, body: '{"status":"warn"}' }),
  fail: Object.freeze({ statusCode: 503, headers: JSON_HEADERS, body: '{"status":"fail"}' }),
};
const isReadiness = (c: CheckState): boolean => !c.liveness;
const isLiveness = (c: CheckState): boolean => c.liveness;

/**
 * Answers `/livez`, `/readyz` and `/health` from cached state in constant time. The public sees only
 * the status; details need the bearer token (or `exposeDetails`).
 */
export class Probes {
  private readonly tokenDigest: Buffer | undefined;
  private readonly byPath: Map<string, ProbeKind>;
  /**
   * 1 at the char code of the second character of each probe path (all ASCII-checked paths start
   * with '/'): most URLs are rejected by one typed-array read, without the `indexOf` and map lookup.
   * Undefined when a probe path is '/' itself.
   */
  private readonly second: Uint8Array | undefined;

  /**
   * The second-character table {@link mightMatch} reads, for request paths that inline the check
   * (undefined: every URL may match); for URLs matched with `matching`, also both cases of each letter
   * when case-insensitive, '/' when duplicate slashes are ignored.
   */
  gate(matching?: ProbeMatching): Uint8Array | undefined {
    const exact = this.second;
    if (exact === undefined || matching === undefined || (!matching.caseInsensitive && !matching.ignoreDuplicateSlashes)) return exact;
    const t = exact.slice();
    if (matching.ignoreDuplicateSlashes) t[0x2f] = 1;
    if (matching.caseInsensitive) {
      for (let c = 0x41; c <= 0x5a; c++) if (exact[c] === 1 || exact[c + 0x20] === 1) t[c] = t[c + 0x20] = 1;
    }
    return t;
  }

  constructor(
    private readonly registry: HealthRegistry,
    private readonly lifecycle: Lifecycle,
    private readonly settings: ProbeSettings,
  ) {
    this.tokenDigest = settings.token === undefined ? undefined : digest(settings.token);
    this.byPath = new Map<string, ProbeKind>([
      [settings.paths.live, 'live'],
      [settings.paths.ready, 'ready'],
      [settings.paths.health, 'health'],
    ]);
    const second = new Uint8Array(128);
    let usable = true;
    for (const p of this.byPath.keys()) {
      const c = p.charCodeAt(1);
      if (c < 128) second[c] = 1;
      else usable = false; // '/' alone (NaN) or a non-ASCII second character: no shortcut
    }
    this.second = usable ? second : undefined;
  }

  /**
   * False when `url` cannot name a probe (checked on its second character only, a typed-array read);
   * true when it may: {@link match} tells. Lets a request path skip the probe handler on most URLs.
   */
  mightMatch(url: string | undefined): boolean {
    const second = this.second;
    if (second === undefined) return url !== undefined;
    if (url === undefined) return false;
    const c = url.charCodeAt(1);
    return c < 128 && second[c] === 1;
  }

  /** The probe a request URL names (query string ignored), or undefined. */
  match(url: string | undefined): ProbeKind | undefined {
    if (!this.mightMatch(url)) return undefined;
    url = url!;
    const q = url.indexOf('?');
    return this.byPath.get(q === -1 ? url : url.slice(0, q));
  }

  /** Liveness: the process is working (draining does not fail it). */
  isLive(): boolean {
    return this.lifecycle.state !== 'stopped' && this.registry.isLive();
  }

  /**
   * Readiness: `ready`, not suspended, every critical check passing, and live (a process whose
   * liveness fails must not get traffic either). So `/health` fails exactly when `/readyz` does.
   */
  isReady(): boolean {
    return this.lifecycle.accepting && this.registry.isReady() && this.registry.isLive();
  }

  /** The probe's answer for a method and an optional `Authorization` header. */
  respond(kind: ProbeKind, method: string | undefined, authorization?: string | string[]): ProbeResponse {
    if (method !== 'GET' && method !== 'HEAD') return NOT_ALLOWED;
    const status = this.statusOf(kind);
    if (!this.settings.exposeDetails && !this.authorised(authorization)) return PUBLIC[status];
    const checks = this.registry.list().filter(kind === 'live' ? isLiveness : kind === 'ready' ? isReadiness : () => true);
    const state = this.lifecycle.state;
    const output = this.lifecycle.suspended ? `suspended${this.lifecycle.suspendedReason ? `: ${this.lifecycle.suspendedReason}` : ''}` : state !== 'ready' && kind !== 'live' ? state : undefined;
    const report = buildReport(status, checks, { serviceId: this.settings.serviceName, version: this.settings.version, state, output });
    return { statusCode: status === 'fail' ? 503 : 200, headers: JSON_HEADERS, body: JSON.stringify(report) };
  }

  /**
   * The probe a request URL names when matched with `matching` (the exact path first; then with
   * duplicate slashes collapsed, one trailing slash dropped, case ignored, as set), or undefined.
   */
  matchLoosely(url: string | undefined, matching: ProbeMatching): ProbeKind | undefined {
    const exact = this.match(url);
    if (exact !== undefined || url === undefined) return exact;
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    if (matching.ignoreDuplicateSlashes) path = path.replace(/\/{2,}/g, '/');
    if (matching.ignoreTrailingSlash && path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (!matching.caseInsensitive) return this.byPath.get(path);
    const lower = path.toLowerCase();
    for (const [p, kind] of this.byPath) if (p.toLowerCase() === lower) return kind;
    return undefined;
  }

  /**
   * Handles a probe on a plain node:http request (URL matched exactly, or with `matching`); returns
   * false when the URL is not a probe path.
   */
  handle(req: IncomingMessage, res: ServerResponse, matching?: ProbeMatching): boolean {
    const kind = matching === undefined ? this.match(req.url) : this.matchLoosely(req.url, matching);
    if (kind === undefined) return false;
    const r = this.respond(kind, req.method, req.headers.authorization);
    res.writeHead(r.statusCode, r.headers);
    res.end(req.method === 'HEAD' ? undefined : r.body);
    return true;
  }

  private statusOf(kind: ProbeKind): HealthStatus {
    if (kind === 'live') return this.isLive() ? 'pass' : 'fail';
    if (kind === 'ready') return this.isReady() ? (this.registry.status(isReadiness) === 'warn' ? 'warn' : 'pass') : 'fail';
    if (!this.isReady()) return 'fail'; // (includes liveness)
    return this.registry.status();
  }

  private authorised(header: string | string[] | undefined): boolean {
    if (this.tokenDigest === undefined || typeof header !== 'string') return false;
    // the auth scheme is case-insensitive (RFC 9110 §11.1), followed by one or more spaces
    const m = /^bearer +([\x21-\x7e]{1,512})$/i.exec(header);
    if (!m) return false;
    return timingSafeEqual(digest(m[1]!), this.tokenDigest);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
