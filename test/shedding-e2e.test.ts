import { Agent, request } from 'undici';
import { startApp, waitFor, type AppProcess } from './helpers/app-process';

// Load shedding end to end: a real app process per framework (test/fixtures/shedding-app.js, built dist)
// with shedding on and a 250 ms event-loop-delay threshold (above the stalls a busy machine gives an idle process). A route busy-waits 800 ms; requests that
// arrive meanwhile find the instance overloaded once the loop runs again.

interface Reply {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

const ROUNDS = 10; // bounded: at most 10 blocks of 800 ms
const ORDINARY_PER_ROUND = 4;

describe.each(['http', 'express', 'fastify'] as const)('load shedding with %s', (framework) => {
  let app: AppProcess;
  // fresh connections per request: a shed answer closes its connection (`Connection: close`)
  const agent = new Agent({ pipelining: 0, connections: 64 });
  const get = async (path: string): Promise<Reply> => {
    const res = await request(`${app.url}${path}`, { dispatcher: agent, headersTimeout: 10000, bodyTimeout: 10000 });
    const ra = res.headers['retry-after'];
    return { status: res.statusCode, retryAfter: Array.isArray(ra) ? ra[0] : ra, body: await res.body.text() };
  };

  beforeAll(async () => {
    app = await startApp('test/fixtures/shedding-app.js', { FRAMEWORK: framework, SHED_DELAY_MS: '250' });
  });
  afterAll(async () => {
    app.kill('SIGKILL');
    await app.exited;
    await agent.close();
  });

  test('ordinary routes get 503 + Retry-After while the loop is blocked, probes never do, and 200 again after', async () => {
    // startup itself (loading the framework) can block the loop past the threshold: wait for it to settle
    await waitFor(async () => (await get('/hello')).status === 200, 5000, 'no shedding once startup settled');

    const ordinary: Reply[] = [];
    const probes: Reply[] = [];
    for (let round = 0; round < ROUNDS && ordinary.filter((r) => r.status === 503).length < 3; round++) {
      const blocks = app.events.filter((e) => e.event === 'block').length;
      const blocker = get('/block?ms=800');
      // the app is now inside its 800 ms busy-wait
      await waitFor(() => app.events.filter((e) => e.event === 'block').length > blocks, 10000, 'the app to start blocking', 5);
      const [o, p] = await Promise.all([
        Promise.all(Array.from({ length: ORDINARY_PER_ROUND }, () => get('/hello'))),
        Promise.all([get('/livez'), get('/readyz'), get('/livez'), get('/readyz')]),
      ]);
      ordinary.push(...o);
      probes.push(...p);
      await blocker;
      await waitFor(async () => (await get('/hello')).status === 200, 10000, 'the pressure to be over before the next round', 50);
    }

    const shed = ordinary.filter((r) => r.status === 503);
    expect(shed.length).toBeGreaterThanOrEqual(1);
    for (const r of shed) {
      expect(r.retryAfter).toBe('7');
      expect(JSON.parse(r.body)).toEqual({ error: 'overloaded', retry: true });
    }
    // every ordinary answer is either served or shed, never anything else
    for (const r of ordinary) expect([200, 503]).toContain(r.status);
    // probes: never the shed 503 (the instance stays live and ready under load)
    expect(probes.length).toBeGreaterThanOrEqual(4);
    for (const r of probes) {
      expect(r.status).toBe(200);
      expect(r.retryAfter).toBeUndefined();
    }
    expect(app.events.some((e) => e.event === 'log' && /shedding load/.test(String(e.msg)))).toBe(true);

    // pressure over: ordinary routes answer 200 again
    await waitFor(() => app.events.some((e) => e.event === 'log' && /stopped shedding/.test(String(e.msg))), 10000, 'the shedder to stop shedding');
    await waitFor(async () => (await get('/hello')).status === 200, 5000, 'an ordinary route to answer 200 again', 50);
    for (let i = 0; i < 5; i++) expect((await get('/hello')).status).toBe(200);
  });
});
