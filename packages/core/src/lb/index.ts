/**
 * `@zerodown/core/lb`: load-balancer clients for deploy scripts and the CLI (ELBv2 target groups,
 * IMDSv2, HAProxy runtime API, rolling patch). The adapters for `zd.useLoadBalancer` are on the root.
 */
export { LoadBalancerError, LoadBalancerTimeoutError, MinHealthyError, ImdsError, LoadBalancerSupersededError } from './errors';
export type { LbProgress, LbProgressListener } from './progress';
export { createElbv2TargetGroups, formatTarget, ELBV2_IAM_ACTIONS, type Elbv2TargetGroups } from './elbv2/target-groups';
export { ImdsClient, type ImdsClientOptions } from './elbv2/imds';
export type { TargetState, Elbv2Target, TargetHealth, TargetGroupInfo, AwsCredentials, Elbv2Options, DeregisterOptions, RegisterOptions } from './elbv2/types';
export { HaproxyRuntimeClient, type HaproxyRuntimeOptions, type HaproxySocketAddress, type HaproxyServerAdminState } from './haproxy/runtime-api';
export type { HaproxyServerState, HaproxyOpState, HaproxyAdminFlag } from './haproxy/parse';
export { drainServer, readyServer, type HaproxyWaitOptions } from './haproxy/server-control';
export { rollingPlan, rollingPatch, type RollingOptions, type RollingEvent, type RollingResult, type RollingExec, type RollingStep, type RollingTargetGroups } from './rolling';
