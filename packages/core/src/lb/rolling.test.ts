/**
 * rollingPatch with the real AWS SDK client against the local ELBv2 wire fixture: restores after an abort
 * and reports a target the run never touched.
 */
import { startElbv2Fixture, type Elbv2Fixture } from '../../../../test/fixtures/elbv2-fixture';
import { FleetLockTimeoutError } from '../fleet-guard/errors';
import { createElbv2TargetGroups, type Elbv2TargetGroups } from './elbv2';
import { rollingPatch, type RollingEvent } from './rolling';
import { waitFor } from '../../../../test/helpers/wait';

const IDS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2', 'i-0ccccccccccccccc3'];
let fx: Elbv2Fixture;
let groups: Elbv2TargetGroups;
let arn: string;

beforeEach(async () => {
  fx = await startElbv2Fixture({ healthyAfterMs: 100, deregistrationDelayMs: 1500 });
  arn = fx.addTargetGroup({ name: 'web', port: 8080, targets: IDS.map((id) => ({ id })) });
  groups = await createElbv2TargetGroups({
    targetGroupArns: [arn],
    region: 'us-east-1',
    endpoint: fx.url,
    credentials: { accessKeyId: 'AKIAZDTESTFIXTURE000', secretAccessKey: 'zd-test-secret-not-real' },
    pollIntervalMs: 50,
    timeoutMs: 10000,
    retry: { baseMs: 20, capMs: 200 },
  });
});
afterEach(async () => {
  groups.close();
  await fx.close();
});

test('an abort during the deregistration wait still puts the target back (a fresh signal), and nothing else starts', async () => {
  const ac = new AbortController();
  const events: RollingEvent[] = [];
  const run = rollingPatch({ targetGroups: groups, exec: async () => 0, signal: ac.signal, restoreTimeoutMs: 10000, onEvent: (e) => events.push(e) });
  await waitFor(() => fx.stateOf(arn, IDS[0]!) === 'draining', 10000, 'the first target to be draining', 10);
  expect(fx.stateOf(arn, IDS[0]!)).toBe('draining');
  ac.abort(new Error('interrupted by SIGINT'));
  const result = await run;
  expect(result).toMatchObject({ ok: false, aborted: true, completed: [], skipped: [`${IDS[1]}:8080`, `${IDS[2]}:8080`], failure: { target: `${IDS[0]}:8080`, step: 'deregister', wasOut: true, restored: true } });
  expect(fx.stateOf(arn, IDS[0]!)).toBe('healthy');
  expect(events).toContainEqual(expect.objectContaining({ type: 'restore', ok: true }));
  expect(fx.callsOf('DeregisterTargets').every((c) => c.params['Targets.member.1.Id'] === IDS[0])).toBe(true);
});

test('a fleet-slot timeout in beforeTarget is a timeout, and the target was never taken out', async () => {
  const result = await rollingPatch({
    targetGroups: groups,
    exec: async () => 0,
    beforeTarget: async () => {
      throw new FleetLockTimeoutError('web', 1, ['other:web'], 1000);
    },
  });
  expect(result).toMatchObject({ ok: false, aborted: false, failure: { target: `${IDS[0]}:8080`, step: 'guard', timedOut: true, wasOut: false, restored: true } });
  expect(fx.callsOf('DeregisterTargets')).toHaveLength(0);
  expect(fx.callsOf('RegisterTargets')).toHaveLength(0);
});
