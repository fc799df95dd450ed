import { undiciRequest } from '../../util/undici';
import { ImdsError } from '../errors';

/** Options of {@link ImdsClient}. */
export interface ImdsClientOptions {
  /** Default: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`) `http://[fd00:ec2::254]`, else `http://169.254.169.254`. */
  endpoint?: string;
  /** Timeout of each request (ms). Default 1000: IMDS answers in milliseconds, and a dropped answer must not stall a deploy. */
  timeoutMs?: number;
  /** Session token lifetime (s). Default 21600. */
  tokenTtlSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

const HOP_LIMIT_HINT =
  'Inside a container (Docker, ECS on EC2, EKS) this usually means the instance metadata option HttpPutResponseHopLimit is 1, ' +
  'which drops the token answer one network hop short of the container: set it to 2 ' +
  '(aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2 --http-endpoint enabled). ' +
  'Not on EC2? Configure the target explicitly (target id or IP and port).';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

/** Resolves the IMDS endpoint from options and the AWS environment variables. */
export function imdsEndpoint(options: ImdsClientOptions = {}): string {
  const env = options.env ?? process.env;
  const raw = options.endpoint ?? env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? (env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE?.toLowerCase() === 'ipv6' ? 'http://[fd00:ec2::254]' : 'http://169.254.169.254');
  return raw.replace(/\/+$/, '');
}

/**
 * A minimal EC2 instance metadata client, IMDSv2 only (token flow: `PUT /latest/api/token`, then
 * `X-aws-ec2-metadata-token` on every GET); IMDSv1 is never attempted. The token is never logged.
 */
export class ImdsClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  /** undici, loaded with the client, not inside the first call's (1 s) timeout. */
  private readonly request = undiciRequest();
  private readonly ttl: number;
  private readonly disabled: boolean;
  private token: { value: string; expires: number } | undefined;

  constructor(options: ImdsClientOptions = {}) {
    const env = options.env ?? process.env;
    this.endpoint = imdsEndpoint(options);
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.ttl = options.tokenTtlSeconds ?? 21600;
    this.disabled = options.endpoint === undefined && env.AWS_EC2_METADATA_DISABLED?.toLowerCase() === 'true';
  }

  /** This instance's id (`i-...`). */
  instanceId(signal?: AbortSignal): Promise<string> {
    return this.get('instance-id', signal);
  }

  /** This instance's availability zone. */
  availabilityZone(signal?: AbortSignal): Promise<string> {
    return this.get('placement/availability-zone', signal);
  }

  /** This instance's private IPv4 address. */
  localIpv4(signal?: AbortSignal): Promise<string> {
    return this.get('local-ipv4', signal);
  }

  /** GETs `/latest/meta-data/<path>` with a session token; fetches a new token once if IMDS says 401. */
  async get(path: string, signal?: AbortSignal): Promise<string> {
    if (this.disabled) throw new ImdsError('the EC2 instance metadata service is disabled (AWS_EC2_METADATA_DISABLED=true): configure the target explicitly (target id or IP and port)');
    const url = `${this.endpoint}/latest/meta-data/${path.replace(/^\/+/, '')}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.sessionToken(signal, attempt > 0);
      const res = await this.send('GET', url, { 'x-aws-ec2-metadata-token': token }, signal);
      if (res.status === 200) return res.body.trim();
      if (res.status === 401 && attempt === 0) continue;
      throw new ImdsError(`IMDS GET ${url} answered HTTP ${res.status}${res.status === 401 ? ' (the session token was refused)' : res.status === 404 ? ' (not available on this instance)' : ''}`);
    }
  }

  private async sessionToken(signal: AbortSignal | undefined, refresh: boolean): Promise<string> {
    const now = Date.now();
    if (!refresh && this.token && this.token.expires > now) return this.token.value;
    const url = `${this.endpoint}/latest/api/token`;
    const res = await this.send('PUT', url, { 'x-aws-ec2-metadata-token-ttl-seconds': String(this.ttl) }, signal, true);
    if (res.status === 403) throw new ImdsError(`IMDSv2 token request to ${url} was refused (HTTP 403): the metadata endpoint may be disabled on this instance (HttpEndpoint=disabled), or the request went through a proxy. Configure the target explicitly (target id or IP and port).`);
    if (res.status !== 200 || res.body.length === 0) throw new ImdsError(`IMDSv2 token request to ${url} answered HTTP ${res.status}`);
    // Renew a minute before the token expires.
    this.token = { value: res.body, expires: now + Math.max(1, this.ttl - 60) * 1000 };
    return res.body;
  }

  private async send(method: 'GET' | 'PUT', url: string, headers: Record<string, string>, signal: AbortSignal | undefined, isTokenPut = false): Promise<{ status: number; body: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await this.request(url, { method, headers, signal: combined, reset: true, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      const body = await res.body.text();
      return { status: res.statusCode, body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const code = errorCode(error);
      if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
        const what = isTokenPut ? `IMDSv2 token request (PUT ${url})` : `IMDS request (${method} ${url})`;
        throw new ImdsError(`${what} got no answer within ${this.timeoutMs} ms. ${isTokenPut ? HOP_LIMIT_HINT : 'Configure the target explicitly (target id or IP and port) if this is not an EC2 instance.'}`, { cause: error });
      }
      if (code && NETWORK_CODES.has(code)) {
        throw new ImdsError(`the EC2 instance metadata service at ${this.endpoint} is unreachable (${code}): not running on EC2, or the metadata endpoint is disabled. Configure the target explicitly (target id or IP and port), or set AWS_EC2_METADATA_SERVICE_ENDPOINT.`, { cause: error });
      }
      throw new ImdsError(`IMDS ${method} ${url} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}
