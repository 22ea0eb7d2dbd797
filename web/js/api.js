// @ts-check
// The admin API with the token from sessionStorage (gone when the tab closes).

const KEY = 'lifecycle-sync.admin-token';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {{ field: string, message: string }[]} [fields] what was wrong with each field (settings) */
  constructor(status, code, message, fields = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

/** @param {string} value */
export function setToken(value) {
  sessionStorage.setItem(KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(KEY);
}

/**
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<T>}
 */
export async function api(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', authorization: `Bearer ${token() ?? ''}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  /** @type {unknown} */
  let data;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && typeof data === 'object' && 'error' in data ? /** @type {{ error: { code: string, message: string, fields?: { field: string, message: string }[] } }} */ (data).error : null;
    throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `the server answered ${response.status}`, error?.fields);
  }
  return /** @type {T} */ (data);
}

/**
 * Downloads a file the API serves (CSV exports): fetched with the token, which a plain link could not
 * send, then saved through an object URL.
 * @param {string} path @param {string} filename
 */
export async function download(path, filename) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token() ?? ''}` } });
  if (!response.ok) throw new ApiError(response.status, 'HTTP_ERROR', `the export failed (${response.status})`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
