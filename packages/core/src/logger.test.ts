import { createDefaultLogger } from './logger';

describe('createDefaultLogger', () => {
  it('keeps the error stack, name, message and code of a logged error', () => {
    const lines: string[] = [];
    const log = createDefaultLogger('info', (l) => lines.push(l));
    const err = Object.assign(new Error('redis went away'), { code: 'ECONNRESET' });
    log.error({ err }, 'zerodown: check failed');
    const rec = JSON.parse(lines[0]!);
    expect(rec.msg).toBe('zerodown: check failed');
    expect(rec.err).toMatchObject({ type: 'Error', message: 'redis went away', code: 'ECONNRESET' });
    expect(rec.err.stack).toBe(err.stack);
    expect(rec.err.stack).toContain('logger.test.ts');
  });
});
