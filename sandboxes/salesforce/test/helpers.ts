// Shared setup for the Salesforce sandbox tests: a listening sandbox, raw HTTP calls, and jsforce.
import { Connection } from 'jsforce';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, type SalesforceSandbox, type SalesforceSandboxOptions } from '../index.ts';

export const VERSION = '62.0';

export interface Started {
  sandbox: SalesforceSandbox;
  url: string;
  close(): Promise<void>;
}

export async function start(options: SalesforceSandboxOptions = {}, setup?: (sandbox: SalesforceSandbox) => void): Promise<Started> {
  const sandbox = createSalesforceSandbox(options);
  setup?.(sandbox);
  const url = await sandbox.listen();
  return { sandbox, url, close: () => sandbox.close() };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A raw call; `path` is absolute (`/services/...`) or relative to `/services/data/vXX.X`. */
export async function call(url: string, method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string>; raw?: string } = {}): Promise<HttpResult> {
  const full = path.startsWith('/services') || path.startsWith('/id/') ? path : `/services/data/v${VERSION}${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? DEFAULT_ACCESS_TOKEN}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url + full, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text) as unknown;
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function soql(url: string, q: string, options: { all?: boolean; headers?: Record<string, string>; token?: string } = {}): Promise<HttpResult> {
  return call(url, 'GET', `/${options.all === true ? 'queryAll' : 'query'}?q=${encodeURIComponent(q)}`, options);
}

export interface QueryBody {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

export function asQuery(r: HttpResult): QueryBody {
  if (r.status !== 200) throw new Error(`query failed: ${r.status} ${r.text}`);
  return r.body as QueryBody;
}

export function firstError(r: HttpResult): { errorCode: string; message: string; fields?: string[] } {
  const body = r.body as { errorCode: string; message: string; fields?: string[] }[];
  return body[0];
}

export function connection(url: string, options: { accessToken?: string; version?: string } = {}): Connection {
  return new Connection({ instanceUrl: url, loginUrl: url, accessToken: options.accessToken ?? DEFAULT_ACCESS_TOKEN, version: options.version ?? VERSION });
}

/** The error a promise rejects with, as the plain shape jsforce gives. */
export async function rejection(promise: PromiseLike<unknown>): Promise<{ name: string; message: string; errorCode?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; errorCode?: string; data?: unknown };
    return e;
  }
  throw new Error('expected a rejection');
}
