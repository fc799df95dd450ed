import { newRelicSink, type NewRelicLike } from './newrelic';

describe('newRelicSink flush', () => {
  test('only the final flush (end of a drain) shuts the agent down', async () => {
    const shutdowns: Array<{ collectPendingData?: boolean }> = [];
    const agent: NewRelicLike = {
      recordCustomEvent: () => {},
      recordMetric: () => {},
      noticeError: () => {},
      shutdown: (options, callback) => {
        shutdowns.push(options);
        callback();
      },
    };
    const sink = newRelicSink(agent);
    await sink.flush!(new AbortController().signal);
    await sink.flush!(new AbortController().signal, { final: false });
    expect(shutdowns).toHaveLength(0);
    await sink.flush!(new AbortController().signal, { final: true });
    await sink.flush!(new AbortController().signal, { final: true });
    expect(shutdowns).toEqual([expect.objectContaining({ collectPendingData: true })]);
  });
});
