/**
 * A strict scripted HTTP peer for contract tests: each test lists the exchanges it expects, in order
 * of declaration per route, and the answers. A request nobody expected is answered 501 and recorded;
 * `unmet()` lists expectations left unused. nock intercepts jsforce's GETs but not its streamed
 * PATCH/POST bodies under vitest, so the contract tests talk real HTTP to this instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';

type Matcher<T> = T | ((value: T) => boolean);

interface Expectation {
  method: string;
  path: string;
  query?: Matcher<Record<string, string>>;
  body?: Matcher<unknown>;
  token?: string;
  reply: { status: number; body: unknown; headers: Record<string, string> };
  used: boolean;
}

const matches = <T>(m: Matcher<T> | undefined, v: T) => m === undefined || (typeof m === 'function' ? (m as (x: T) => boolean)(v) : isDeepStrictEqual(m, v));

export class StrictServer {
  private readonly expectations: Expectation[] = [];
  readonly unexpected: string[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const raw = Buffer.concat(chunks).toString();
        const type = req.headers['content-type'] ?? '';
        const body: unknown = raw === '' ? undefined : type.includes('json') ? (JSON.parse(raw) as unknown) : type.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : raw;
        const query = Object.fromEntries(url.searchParams);
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const e = this.expectations.find((x) => !x.used && x.method === req.method && x.path === url.pathname && matches(x.query, query) && matches(x.body, body) && (x.token === undefined || x.token === token));
        if (!e) {
          this.unexpected.push(`${req.method} ${req.url} ${raw.slice(0, 300)}`);
          res.writeHead(501, { 'content-type': 'text/plain' }).end('unexpected request');
          return;
        }
        e.used = true;
        const payload = e.reply.body === undefined ? '' : typeof e.reply.body === 'string' ? e.reply.body : JSON.stringify(e.reply.body);
        const headers = { ...(typeof e.reply.body === 'string' || e.reply.body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }), ...e.reply.headers };
        res.writeHead(e.reply.status, headers).end(payload);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  expect(method: string, path: string, options: { query?: Matcher<Record<string, string>>; body?: Matcher<unknown>; token?: string } = {}) {
    return {
      reply: (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        this.expectations.push({ method, path, ...options, reply: { status, body, headers }, used: false });
      },
    };
  }

  unmet(): string[] {
    return this.expectations.filter((e) => !e.used).map((e) => `${e.method} ${e.path}`);
  }

  reset(): void {
    this.expectations.length = 0;
    this.unexpected.length = 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
