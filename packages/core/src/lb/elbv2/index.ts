export { Elbv2TargetGroups, createElbv2TargetGroups, formatTarget, ELBV2_DEFAULTS, ELBV2_IAM_ACTIONS } from './target-groups';
export { elbv2Adapter, type Elbv2AdapterOptions } from './adapter';
export { ImdsClient, imdsEndpoint, type ImdsClientOptions } from './imds';
export { isRetryableAwsError, describeAwsError } from './retryable';
export { loadElbv2Sdk, ELBV2_SDK_PACKAGE } from './sdk';
export type { TargetState, Elbv2Target, TargetHealth, TargetGroupInfo, AwsCredentials, Elbv2SdkClient, Elbv2Options, DeregisterOptions, RegisterOptions } from './types';
