'use strict';
// One node:http server with GET /work?ms=N (answers after N ms) and GET /readyz, shut down on SIGTERM
// by the library named in argv[2]: zerodown, terminus, http-terminator, lightship, stoppable, or
// plain (no handler: Node's default, the process dies at once). Every library is given no
// load-balancer delay (zerodown drain.delayMs 0, lightship shutdownDelay 0) and a 30 s grace period,
// so what is measured is the drain itself (BENCH_DRAIN_DELAY_MS gives zerodown its load-balancer delay
// for the rolling restart behind HAProxy). PORT picks the port (default: any free one). Prints {"port":N} on stdout once listening.
const http = require('node:http');

const lib = process.argv[2];
const handler = (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/readyz') return res.end('ok');
  const ms = Number(url.searchParams.get('ms') ?? 0);
  setTimeout(() => res.end('done\n'), ms);
};
const server = http.createServer(handler);
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
const listening = () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);

async function main() {
  switch (lib) {
    case 'zerodown': {
      const { zerodown, silentLogger } = require('@zerodown/core');
      const zd = zerodown({ serviceName: 'bench', logger: silentLogger, drain: { delayMs: Number(process.env.BENCH_DRAIN_DELAY_MS ?? 0), timeoutMs: 30000 }, control: { socket: false }, monitors: false, alerts: { enabled: false } });
      zd.attach(server, { probes: true });
      server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
        zd.ready();
        listening();
      });
      return;
    }
    case 'terminus': {
      const { createTerminus } = require('@godaddy/terminus');
      createTerminus(server, { signals: ['SIGTERM'], timeout: 30000, healthChecks: { '/healthz': async () => {} } });
      break;
    }
    case 'http-terminator': {
      const { createHttpTerminator } = require('http-terminator');
      const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: 30000 });
      process.once('SIGTERM', () => terminator.terminate().then(() => process.exit(0)));
      break;
    }
    case 'lightship': {
      const { createLightship } = await import('lightship');
      const lightship = await createLightship({ port: 0, shutdownDelay: 0, gracefulShutdownTimeout: 30000, shutdownHandlerTimeout: 30000, detectKubernetes: false, signals: ['SIGTERM'] });
      lightship.registerShutdownHandler(() => new Promise((resolve) => server.close(() => resolve())));
      server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
        lightship.signalReady();
        listening();
      });
      return;
    }
    case 'stoppable': {
      const stoppable = require('stoppable');
      stoppable(server, 30000);
      process.once('SIGTERM', () => server.stop(() => process.exit(0)));
      break;
    }
    case 'plain':
      break;
    default:
      throw new Error(`unknown library "${lib}": zerodown, terminus, http-terminator, lightship, stoppable or plain`);
  }
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', listening);
}
main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
