/**
 * Serving a sandbox's express app on a local port, shared by the CRM sandboxes: listen (port 0 picks a
 * free one), the base URL it answers on, and a close that does not wait for idle keep-alive connections.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Request } from 'express';

export interface Listener {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  readonly url: string;
}

export function listener(app: Express, what: string): Listener {
  let server: Server | undefined;
  let url: string | undefined;
  return {
    listen(port = 0, host = '127.0.0.1') {
      if (server !== undefined) return Promise.reject(new Error(`the ${what} is already listening`));
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => {
          if (error) {
            reject(error);
            return;
          }
          const address = s.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${shown}:${address.port}`;
          server = s;
          resolve(url);
        });
      });
    },
    close() {
      const s = server;
      server = undefined;
      url = undefined;
      if (s === undefined) return Promise.resolve();
      return new Promise((resolve, reject) => {
        s.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections from clients would otherwise hold close() open.
        s.closeAllConnections();
      });
    },
    get url() {
      if (url === undefined) throw new Error(`the ${what} is not listening; call listen() first`);
      return url;
    },
  };
}

/** The raw request body (express.raw leaves a Buffer, or nothing for an empty body). */
export function rawBody(req: Request): string {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body.toString('utf8') : '';
}
