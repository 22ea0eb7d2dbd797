/** An HTTP server listening before its handler exists (the demo needs its own address first). */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  server: Server;
  port: number;
  /** Attaches the request handler; requests before that get a 503. */
  handle(listener: RequestListener): void;
  close(): Promise<void>;
}

export function listen(port: number, host: string): Promise<Listening> {
  let handler: RequestListener | null = null;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' }).end('{"error":{"code":"STARTING","message":"the server is starting"}}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use: set PORT to another port (PORT=0 picks a free one)`) : error);
    });
    server.listen(port, host, () => {
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        handle: (listener) => void (handler = listener),
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
