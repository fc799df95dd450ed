import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A node:http or node:https server owned by a test fixture. */
export type LocalServer = HttpServer | HttpsServer;

/** Listens on 127.0.0.1:0; resolves with the port the system picked (rejects on a listen error). */
export function listenLocal(server: LocalServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, cuts every open connection and resolves once the server is closed. */
export function closeServer(server: LocalServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
