import type { MinHealthyError } from '../errors';
import type { LbProgressListener } from '../progress';
import type { RetryOptions } from '../retry';

/** Every target state ELBv2's DescribeTargetHealth returns. */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'unhealthy.draining' | 'unused' | 'draining' | 'unavailable';

/** An ELBv2 target: an instance id (`i-...`) or an IP address, and optionally its port (default: the group's port). */
export interface Elbv2Target {
  id: string;
  port?: number;
  availabilityZone?: string;
}

/** One target's health in one target group. */
export interface TargetHealth {
  targetGroupArn: string;
  target: Elbv2Target;
  state: TargetState;
  /** ELBv2 reason code, e.g. `Target.DeregistrationInProgress`. */
  reason?: string;
  description?: string;
}

/** A target group's settings, from DescribeTargetGroups. */
export interface TargetGroupInfo {
  arn: string;
  name: string;
  port?: number;
  protocol?: string;
  targetType?: string;
  healthCheckPath?: string;
  healthCheckIntervalSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  loadBalancerArns: string[];
}

/** Static AWS credentials (prefer the default chain: env, shared config/SSO, web identity, ECS, IMDS). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The part of an SDK v3 client zerodown uses (an `ElasticLoadBalancingV2Client` fits). */
export interface Elbv2SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy?(): void;
}

/** Options of {@link createElbv2TargetGroups}. */
export interface Elbv2Options {
  /** One or more target group ARNs. */
  targetGroupArns: string[];
  /**
   * This instance as a target. Default: this EC2 instance from IMDSv2 (its instance id, or its private IPv4
   * when `targetType` is `ip`), on `port`.
   */
  target?: Elbv2Target;
  /** Port of the target when `target` is resolved from IMDS. Default: the target group's port. */
  port?: number;
  /** How the target is identified when resolved from IMDS. Default `instance`. */
  targetType?: 'instance' | 'ip';
  /** Region; default from the SDK (`AWS_REGION`, shared config). */
  region?: string;
  /** Endpoint override; default from the SDK (`AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`, `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  /** Static credentials; default: the SDK's default credential chain. Never logged. */
  credentials?: AwsCredentials;
  /** An SDK client to use instead of creating one (the module is then still loaded for its commands). */
  client?: Elbv2SdkClient;
  /** Poll interval of the waits (ms). Default 5000. */
  pollIntervalMs?: number;
  /** Default deadline of `deregister`/`register` (ms). Default 600000. */
  timeoutMs?: number;
  /** Timeout of each API call (ms). Default 10000. */
  requestTimeoutMs?: number;
  /** Retries on throttling, 5xx and network errors. */
  retry?: RetryOptions;
  /** IMDS settings. Endpoint default: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`. */
  imds?: { endpoint?: string; timeoutMs?: number };
  /** Environment to read (`AWS_EC2_METADATA_*`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Module to load the SDK from. Default `@aws-sdk/client-elastic-load-balancing-v2`. */
  sdkModule?: string;
}

/** Options of {@link Elbv2TargetGroups.deregister}. */
export interface DeregisterOptions {
  /** Aborts the wait (e.g. the drain deadline). */
  signal?: AbortSignal;
  /** Deadline of the whole operation (ms). Default: the groups' `timeoutMs`. */
  timeoutMs?: number;
  /** The app's in-flight count: `draining` with 0 in flight counts as done. Without it, wait for `unused`. */
  inflight?: () => number;
  /** Other targets that must be healthy in each group before this one is pulled. Default 1. */
  minHealthy?: number;
  /** Skip the `minHealthy` check. */
  force?: boolean;
  /** A refusal of the `minHealthy` guard is reported here and the target deregistered anyway (the process exits regardless). */
  onGuardBypassed?: (refusal: MinHealthyError) => void;
  /** Called once the guard passed (or was bypassed), before the first DeregisterTargets call. */
  onDeregistering?: () => void;
  /** Do not wait: return once DeregisterTargets has been accepted. */
  noWait?: boolean;
  onProgress?: LbProgressListener;
}

/** Options of {@link Elbv2TargetGroups.register}. */
export interface RegisterOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Do not wait for `healthy` (still waits for a draining target to be `unused` before registering it). */
  noWait?: boolean;
  onProgress?: LbProgressListener;
}
