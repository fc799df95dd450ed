import http from 'node:http';
import { request } from 'undici';
import { zerodown, silentLogger } from '../index';
import { closeServer } from '../../../../test/helpers/http-server';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('probes answered in front of the app by zd.attach', () => {
  test('only while the tracker is the only request listener: another listener added after attach turns it off, removing it turns it back on', async () => {
    const zd = zerodown({ logger: silentLogger, drain: { signals: false }, monitors: false, control: { socket: false } });
    const app = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (!res.headersSent) res.end('app');
    };
    const server = http.createServer(app);
    const detach = zd.attach(server);
    const port = await listen(server);
    const livez = async (): Promise<string> => {
      const res = await request(`http://127.0.0.1:${port}/livez`);
      return `${res.statusCode} ${await res.body.text()}`;
    };
    try {
      expect(await livez()).toBe('200 {"status":"pass"}');
      // a second listener would answer too: the probe goes to the app's listeners instead
      const other = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
        if (!res.headersSent) res.end('other');
      };
      server.on('request', other);
      expect(await livez()).toBe('200 app');
      server.removeListener('request', other);
      expect(await livez()).toBe('200 {"status":"pass"}');
      // detach restores the app's listener: probes reach the app
      detach();
      expect(await livez()).toBe('200 app');
    } finally {
      zd.dispose();
      await closeServer(server);
    }
  });
});
