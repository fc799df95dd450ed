import { ZerodownConfigError } from '../../errors';
import { sleep } from '../../util/time';
import { runWithDeadline, type Deadline } from '../deadline';
import { MinHealthyError } from '../errors';
import type { LbProgress, LbProgressListener } from '../progress';
import { withRetry, type RetryOptions } from '../retry';
import { ImdsClient } from './imds';
import { describeAwsError, isRetryableAwsError } from './retryable';
import { loadElbv2Sdk, type Elbv2SdkModule } from './sdk';
import type { DeregisterOptions, Elbv2Options, Elbv2SdkClient, Elbv2Target, RegisterOptions, TargetGroupInfo, TargetHealth, TargetState } from './types';

/** Defaults of {@link Elbv2Options}, in one place. */
export const ELBV2_DEFAULTS = { pollIntervalMs: 5000, timeoutMs: 600000, requestTimeoutMs: 10000, minHealthy: 1, imdsTimeoutMs: 1000 } as const;

const STATES = new Set<TargetState>(['initial', 'healthy', 'unhealthy', 'unhealthy.draining', 'unused', 'draining', 'unavailable']);

interface SdkTargetHealthDescription {
  Target?: { Id?: string; Port?: number; AvailabilityZone?: string };
  TargetHealth?: { State?: string; Reason?: string; Description?: string };
}
interface SdkTargetGroup {
  TargetGroupArn?: string;
  TargetGroupName?: string;
  Port?: number;
  Protocol?: string;
  TargetType?: string;
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
  LoadBalancerArns?: string[];
}

/** `i-0abc:8080`, or the id alone when the port is the group's default. */
export function formatTarget(target: Elbv2Target): string {
  return target.port !== undefined ? `${target.id}:${target.port}` : target.id;
}

function isDraining(state: TargetState): boolean {
  return state === 'draining' || state === 'unhealthy.draining';
}

function stateText(h: TargetHealth): string {
  return h.reason ? `${h.state} (${h.reason})` : h.state;
}

function sameTarget(a: Elbv2Target, b: Elbv2Target): boolean {
  return a.id === b.id && (a.port === undefined || b.port === undefined || a.port === b.port);
}

function validate(options: Elbv2Options): void {
  const arns = options.targetGroupArns as unknown;
  if (!Array.isArray(arns) || arns.length === 0) throw new ZerodownConfigError('targetGroupArns', `targetGroupArns must be a non-empty array of target group ARNs, got ${JSON.stringify(arns)}`);
  for (const arn of arns) {
    if (typeof arn !== 'string' || !/^arn:[\w-]+:elasticloadbalancing:[\w-]*:\d*:targetgroup\/[\w-]+\/[\w]+$/.test(arn)) {
      throw new ZerodownConfigError('targetGroupArns', `targetGroupArns: ${JSON.stringify(arn)} is not a target group ARN (expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)`);
    }
  }
  if (options.target !== undefined) {
    if (typeof options.target.id !== 'string' || options.target.id.length === 0) throw new ZerodownConfigError('target.id', `target.id must be an instance id or IP address, got ${JSON.stringify(options.target.id)}`);
    checkPort('target.port', options.target.port);
  }
  checkPort('port', options.port);
  for (const field of ['pollIntervalMs', 'timeoutMs', 'requestTimeoutMs'] as const) {
    const v = options[field];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new ZerodownConfigError(field, `${field} must be a positive number of milliseconds, got ${String(v)}`);
  }
  if (options.targetType !== undefined && options.targetType !== 'instance' && options.targetType !== 'ip') {
    throw new ZerodownConfigError('targetType', `targetType must be "instance" or "ip", got ${JSON.stringify(options.targetType)}`);
  }
}

function checkPort(field: string, port: unknown): void {
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) {
    throw new ZerodownConfigError(field, `${field} must be an integer from 1 to 65535, got ${String(port)}`);
  }
}

/** Every ELBv2 API action this module calls (the IAM actions the access-denied hint lists). */
export const ELBV2_IAM_ACTIONS = ['DescribeTargetHealth', 'DescribeTargetGroups', 'RegisterTargets', 'DeregisterTargets'] as const;

/** Hints for errors a deploy engineer can fix. */
function hintFor(error: unknown): string {
  const name = (error as { name?: string }).name ?? '';
  const msg = (error as { message?: string }).message ?? '';
  if (name === 'CredentialsProviderError' || /credential/i.test(msg)) {
    return ' (no AWS credentials found: the default chain looks at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and shared config/SSO, web identity, the ECS task role and the EC2 instance role)';
  }
  if (/region is missing/i.test(msg)) return ' (set AWS_REGION or pass region)';
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return ` (the IAM policy must allow ${ELBV2_IAM_ACTIONS.map((a) => `elasticloadbalancing:${a}`).join(', ')}; the Describe* actions need "Resource": "*", RegisterTargets and DeregisterTargets can be limited to the target group)`;
  return '';
}

/**
 * ELBv2 target groups this instance belongs to: describe, deregister and wait for `unused` (or `draining`
 * with nothing in flight), register and wait for `healthy`. Create with {@link createElbv2TargetGroups}.
 */
export class Elbv2TargetGroups {
  readonly targetGroupArns: readonly string[];
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly retry: RetryOptions;
  private readonly imds: ImdsClient;
  private self: Promise<Elbv2Target> | undefined;

  /** @internal use {@link createElbv2TargetGroups}. */
  constructor(
    private readonly sdk: Elbv2SdkModule,
    private readonly client: Elbv2SdkClient,
    private readonly ownsClient: boolean,
    private readonly options: Elbv2Options,
  ) {
    this.targetGroupArns = [...options.targetGroupArns];
    this.pollIntervalMs = options.pollIntervalMs ?? ELBV2_DEFAULTS.pollIntervalMs;
    this.timeoutMs = options.timeoutMs ?? ELBV2_DEFAULTS.timeoutMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? ELBV2_DEFAULTS.requestTimeoutMs;
    this.retry = options.retry ?? {};
    this.imds = new ImdsClient({ endpoint: options.imds?.endpoint, timeoutMs: options.imds?.timeoutMs ?? ELBV2_DEFAULTS.imdsTimeoutMs, env: options.env });
  }

  /** Every registered target of one group (or of all the configured groups), as DescribeTargetHealth reports them. */
  async describe(targetGroupArn?: string, options: { signal?: AbortSignal } = {}): Promise<TargetHealth[]> {
    const arns = targetGroupArn ? [targetGroupArn] : this.targetGroupArns;
    return this.run(`describing ${arns.join(', ')}`, options.signal, this.requestTimeoutMs * 3, async (dl) => {
      const lists = await Promise.all(arns.map((arn) => this.describeHealth(arn, undefined, dl)));
      return lists.flat();
    });
  }

  /** The health of one target in each configured group (`unused`/`Target.NotRegistered` where it is not registered). */
  async healthOf(target: Elbv2Target, options: { signal?: AbortSignal } = {}): Promise<TargetHealth[]> {
    return this.run(`describing ${formatTarget(target)}`, options.signal, this.requestTimeoutMs * 3, (dl) => Promise.all(this.targetGroupArns.map((arn) => this.targetHealth(arn, target, dl))));
  }

  /** The configured groups' settings (port, health check, load balancers), from DescribeTargetGroups. */
  async targetGroups(options: { signal?: AbortSignal } = {}): Promise<TargetGroupInfo[]> {
    return this.run('describing target groups', options.signal, this.requestTimeoutMs * 3, async (dl) => {
      const out = await this.call<{ TargetGroups?: SdkTargetGroup[] }>('DescribeTargetGroups', { TargetGroupArns: [...this.targetGroupArns] }, dl);
      return (out.TargetGroups ?? []).map((g) => ({
        arn: g.TargetGroupArn ?? '',
        name: g.TargetGroupName ?? '',
        port: g.Port,
        protocol: g.Protocol,
        targetType: g.TargetType,
        healthCheckPath: g.HealthCheckPath,
        healthCheckIntervalSeconds: g.HealthCheckIntervalSeconds,
        healthyThresholdCount: g.HealthyThresholdCount,
        unhealthyThresholdCount: g.UnhealthyThresholdCount,
        loadBalancerArns: g.LoadBalancerArns ?? [],
      }));
    });
  }

  /** This instance as a target: the configured target, else this EC2 instance from IMDSv2 (cached). */
  resolveSelf(signal?: AbortSignal): Promise<Elbv2Target> {
    if (this.options.target) return Promise.resolve({ ...this.options.target });
    if (!this.self) {
      const port = this.options.port;
      const p = (async (): Promise<Elbv2Target> => {
        const id = this.options.targetType === 'ip' ? await this.imds.localIpv4(signal) : await this.imds.instanceId(signal);
        return port !== undefined ? { id, port } : { id };
      })();
      this.self = p;
      p.catch(() => {
        if (this.self === p) this.self = undefined;
      });
    }
    return this.self;
  }

  /**
   * Deregisters `target` from every group, then waits until each reports `unused` (or `draining` while
   * `inflight()` is 0). First checks that at least `minHealthy` other targets are healthy in each group, unless `force`
   * (a refusal throws a `MinHealthyError` before any DeregisterTargets call, or with `onGuardBypassed` is reported
   * there and the target deregistered anyway); then calls `onDeregistering`, then DeregisterTargets.
   */
  async deregister(target: Elbv2Target, options: DeregisterOptions = {}): Promise<void> {
    const label = formatTarget(target);
    const inflight = options.inflight;
    const what = `deregistering ${label} (waiting for unused${inflight ? ' or draining with 0 requests in flight' : ''})`;
    await this.run(what, options.signal, options.timeoutMs ?? this.timeoutMs, async (dl) => {
      const progress = this.progressFn('deregister', label, dl, options.onProgress);
      const before = await Promise.all(this.targetGroupArns.map((arn) => this.targetHealth(arn, target, dl)));
      const registered = before.filter((h) => h.state !== 'unused' && !isDraining(h.state));
      for (const h of before) dl.lastStates[h.targetGroupArn] = stateText(h);
      const minHealthy = options.minHealthy ?? ELBV2_DEFAULTS.minHealthy;
      if (!options.force && minHealthy > 0) {
        for (const h of registered) {
          try {
            await this.checkMinHealthy(h.targetGroupArn, target, minHealthy, dl);
          } catch (error) {
            if (!(error instanceof MinHealthyError) || !options.onGuardBypassed) throw error;
            options.onGuardBypassed(error);
          }
        }
      }
      options.onDeregistering?.();
      await this.all(dl, registered, (h) => this.call('DeregisterTargets', { TargetGroupArn: h.targetGroupArn, Targets: [sdkTarget(target)] }, dl).catch((e: unknown) => this.tolerateNotRegistered(e)));
      for (const h of registered) progress(h, 'DeregisterTargets accepted');
      if (options.noWait) return;
      await this.all(dl, this.targetGroupArns, async (arn) => {
        for (let poll = 0; ; poll++) {
          const h = await this.targetHealth(arn, target, dl);
          if (h.state === 'unused') return progress(h, 'deregistered: the load balancer no longer routes here');
          if (isDraining(h.state)) {
            const n = inflight?.();
            if (n === 0) return progress(h, 'draining, and no request is in flight here: done');
            progress(h, n === undefined ? 'draining: waiting for unused' : `draining, ${n} request(s) in flight here`);
          } else {
            progress(h, 'deregistration not visible yet');
            // Eventual consistency, or a register that raced us: deregistering again is harmless.
            if (poll % 3 === 2) await this.call('DeregisterTargets', { TargetGroupArn: arn, Targets: [sdkTarget(target)] }, dl).catch((e: unknown) => this.tolerateNotRegistered(e));
          }
          await sleep(this.pollIntervalMs, dl.signal);
        }
      });
    });
  }

  /**
   * Registers `target` in every group and waits until each reports `healthy`. A target still `draining`
   * is never re-registered (AWS would silently ignore it): this waits for `unused` first.
   */
  async register(target: Elbv2Target, options: RegisterOptions = {}): Promise<void> {
    const label = formatTarget(target);
    await this.run(`registering ${label} (waiting for healthy)`, options.signal, options.timeoutMs ?? this.timeoutMs, async (dl) => {
      await this.all(dl, this.targetGroupArns, async (arn) => {
        const progress = this.progressFn('register', label, dl, options.onProgress);
        const waiting = this.progressFn('wait', label, dl, options.onProgress);
        let sentAtPoll: number | undefined;
        for (let poll = 0; ; poll++) {
          const h = await this.targetHealth(arn, target, dl);
          switch (h.state) {
            case 'healthy':
              return progress(h, 'healthy');
            case 'draining':
            case 'unhealthy.draining':
              waiting(h, 'still draining: AWS ignores RegisterTargets for a draining target, waiting for unused first');
              break;
            case 'unused':
              if (sentAtPoll === undefined || poll - sentAtPoll >= 2) {
                await this.call('RegisterTargets', { TargetGroupArn: arn, Targets: [sdkTarget(target)] }, dl);
                sentAtPoll = poll;
                progress(h, 'RegisterTargets accepted');
                if (options.noWait) return;
              } else {
                progress(h, h.reason === 'Target.NotInUse' ? 'registered, but the group is not used by a load balancer in this zone (Target.NotInUse)' : 'registration not visible yet');
              }
              break;
            case 'initial':
              progress(h, 'registered: initial health checks in progress');
              if (options.noWait) return;
              break;
            case 'unhealthy':
              progress(h, `registered but failing health checks${h.description ? `: ${h.description}` : ''}`);
              if (options.noWait) return;
              break;
            case 'unavailable':
              progress(h, 'target health is unavailable (health checks disabled or an ELB internal error): still waiting');
              if (options.noWait) return;
              break;
          }
          await sleep(this.pollIntervalMs, dl.signal);
        }
      });
    });
  }

  /** Releases the SDK client's sockets (when zerodown created the client). */
  close(): void {
    if (this.ownsClient) this.client.destroy?.();
  }

  private async checkMinHealthy(arn: string, target: Elbv2Target, minHealthy: number, dl: Deadline): Promise<void> {
    const all = await this.describeHealth(arn, undefined, dl);
    const others = all.filter((h) => !sameTarget(h.target, target));
    const healthy = others.filter((h) => h.state === 'healthy').length;
    if (healthy >= minHealthy) return;
    const list = others.map((h) => `${formatTarget(h.target)} ${h.state}`).join(', ') || 'none';
    throw new MinHealthyError(
      `refusing to deregister ${formatTarget(target)} from ${arn}: only ${healthy} other target(s) are healthy, at least ${minHealthy} required (other targets: ${list}). Use force to deregister anyway.`,
      arn,
      healthy,
      minHealthy,
    );
  }

  /** Runs `fn` under a deadline; turns aborts into a timeout error and SDK errors into LoadBalancerError. */
  private run<T>(what: string, signal: AbortSignal | undefined, timeoutMs: number, fn: (dl: Deadline) => Promise<T>): Promise<T> {
    return runWithDeadline(what, timeoutMs, signal, fn, (error) => `${describeAwsError(error)}${hintFor(error)}`);
  }

  /** Runs one task per item; the first failure cancels the others and is thrown. */
  private async all<I>(dl: Deadline, items: readonly I[], fn: (item: I) => Promise<unknown>): Promise<void> {
    let first: { error: unknown } | undefined;
    await Promise.all(
      items.map((item) =>
        fn(item).catch((error: unknown) => {
          if (!first) {
            first = { error };
            if (!dl.signal.aborted) dl.cancel(error);
          }
        }),
      ),
    );
    if (first) throw first.error;
  }

  private progressFn(phase: LbProgress['phase'], label: string, dl: Deadline, listener: LbProgressListener | undefined): (h: TargetHealth, message: string) => void {
    return (h, message) => {
      dl.lastStates[h.targetGroupArn] = stateText(h);
      if (!listener) return;
      try {
        listener({ phase, target: label, group: h.targetGroupArn, state: h.state, reason: h.reason, elapsedMs: dl.elapsed(), deadlineMs: dl.deadlineMs, message });
      } catch {
        // a progress listener must not break the operation
      }
    };
  }

  /** A DeregisterTargets answered InvalidTarget for a target that is not registered (any more): nothing to do. */
  private tolerateNotRegistered(error: unknown): void {
    const e = error as { name?: string; message?: string };
    if ((e.name === 'InvalidTargetException' || e.name === 'InvalidTarget') && /not registered/i.test(e.message ?? '')) return;
    throw error;
  }

  private async targetHealth(arn: string, target: Elbv2Target, dl: Deadline): Promise<TargetHealth> {
    const list = await this.describeHealth(arn, target, dl);
    const h = list.find((x) => sameTarget(x.target, target));
    return h ?? { targetGroupArn: arn, target, state: 'unused', reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' };
  }

  private async describeHealth(arn: string, target: Elbv2Target | undefined, dl: Deadline): Promise<TargetHealth[]> {
    const input = target ? { TargetGroupArn: arn, Targets: [sdkTarget(target)] } : { TargetGroupArn: arn };
    const out = await this.call<{ TargetHealthDescriptions?: SdkTargetHealthDescription[] }>('DescribeTargetHealth', input, dl);
    return (out.TargetHealthDescriptions ?? []).map((d) => {
      const raw = d.TargetHealth?.State ?? 'unavailable';
      const state: TargetState = STATES.has(raw as TargetState) ? (raw as TargetState) : 'unavailable';
      const t: Elbv2Target = { id: d.Target?.Id ?? '' };
      if (d.Target?.Port !== undefined) t.port = d.Target.Port;
      if (d.Target?.AvailabilityZone !== undefined) t.availabilityZone = d.Target.AvailabilityZone;
      const h: TargetHealth = { targetGroupArn: arn, target: t, state };
      if (d.TargetHealth?.Reason) h.reason = d.TargetHealth.Reason;
      if (d.TargetHealth?.Description) h.description = d.TargetHealth.Description;
      return h;
    });
  }

  /** One API call with full-jitter retries on throttling, 5xx and network errors, bounded by the deadline. */
  private call<T>(action: (typeof ELBV2_IAM_ACTIONS)[number], input: object, dl: Deadline): Promise<T> {
    const Command = this.sdk[`${action}Command`];
    return withRetry(
      async () => {
        const signal = AbortSignal.any([dl.signal, AbortSignal.timeout(this.requestTimeoutMs)]);
        return (await this.client.send(new Command(input), { abortSignal: signal })) as T;
      },
      isRetryableAwsError,
      dl.signal,
      this.retry,
      (error) => {
        dl.lastError = `${action}: ${describeAwsError(error)}`;
      },
    );
  }
}

function sdkTarget(target: Elbv2Target): { Id: string; Port?: number; AvailabilityZone?: string } {
  const t: { Id: string; Port?: number; AvailabilityZone?: string } = { Id: target.id };
  if (target.port !== undefined) t.Port = target.port;
  if (target.availabilityZone !== undefined) t.AvailabilityZone = target.availabilityZone;
  return t;
}

/**
 * Loads the AWS SDK (an optional peer dependency) and returns the target groups. The SDK's own conventions
 * apply: default credential chain, `AWS_REGION`, `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2` / `AWS_ENDPOINT_URL`.
 * The SDK's own retries are turned off (`maxAttempts: 1`): zerodown retries with full jitter under its deadline.
 */
export async function createElbv2TargetGroups(options: Elbv2Options): Promise<Elbv2TargetGroups> {
  validate(options);
  const sdk = await loadElbv2Sdk(options.sdkModule);
  if (options.client) return new Elbv2TargetGroups(sdk, options.client, false, options);
  const config: Record<string, unknown> = { maxAttempts: 1 };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = { ...options.credentials };
  return new Elbv2TargetGroups(sdk, new sdk.ElasticLoadBalancingV2Client(config), true, options);
}
