import { LoadBalancerError } from '../errors';

/** The SDK module's exports that zerodown uses. */
export interface Elbv2SdkModule {
  ElasticLoadBalancingV2Client: new (config: Record<string, unknown>) => {
    send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
    destroy(): void;
  };
  DescribeTargetHealthCommand: new (input: unknown) => unknown;
  RegisterTargetsCommand: new (input: unknown) => unknown;
  DeregisterTargetsCommand: new (input: unknown) => unknown;
  DescribeTargetGroupsCommand: new (input: unknown) => unknown;
}

/** The optional peer dependency the ELBv2 adapter needs. */
export const ELBV2_SDK_PACKAGE = '@aws-sdk/client-elastic-load-balancing-v2';

/** Loads the AWS SDK ELBv2 client on first use; a missing module gives an error naming the package to install. */
export async function loadElbv2Sdk(specifier: string = ELBV2_SDK_PACKAGE): Promise<Elbv2SdkModule> {
  let mod: Partial<Elbv2SdkModule> & { default?: Partial<Elbv2SdkModule> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new LoadBalancerError(`the ELBv2 adapter needs the AWS SDK: install it with \`npm install ${ELBV2_SDK_PACKAGE}\` (could not load "${specifier}")`, { cause: error });
    }
    throw new LoadBalancerError(`could not load "${specifier}": ${(error as Error).message}`, { cause: error });
  }
  const m = mod.ElasticLoadBalancingV2Client ? mod : (mod.default ?? mod);
  if (!m.ElasticLoadBalancingV2Client || !m.DescribeTargetHealthCommand || !m.RegisterTargetsCommand || !m.DeregisterTargetsCommand || !m.DescribeTargetGroupsCommand) {
    throw new LoadBalancerError(`"${specifier}" does not look like ${ELBV2_SDK_PACKAGE} v3 (ElasticLoadBalancingV2Client missing)`);
  }
  return m as Elbv2SdkModule;
}
