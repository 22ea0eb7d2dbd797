/**
 * A local HTTP server that behaves like Salesforce's documented REST, Bulk API 2.0, Metadata (SOAP) and
 * OAuth APIs for what a jsforce-based connector uses, for integration tests, the benchmark and the demo.
 * The same URL serves as login URL and instance URL. See README.md for what is modelled and the
 * choices made where Salesforce's documentation is silent.
 */
import type { ConnectedApp } from './auth.ts';
import { createCore, type SandboxUserOptions } from './core.ts';
import { createSandboxData, type SandboxData } from './data.ts';
import type { FaultOptions } from './faults.ts';
import type { LimitOptions } from './limits.ts';
import { listener } from '../shared/server.ts';
import { createApp } from './server.ts';
import type { SandboxStats } from './stats.ts';

export type { ConnectedApp } from './auth.ts';
export type { SandboxUserOptions } from './core.ts';
export type { FaultOptions } from './faults.ts';
export type { LimitOptions } from './limits.ts';
export type { RequestEvent, SandboxStats } from './stats.ts';
export type { FieldInput, SandboxData, SandboxFieldInfo, SandboxRecord } from './data.ts';
export { DEFAULT_ACCESS_TOKEN, DEFAULT_CONNECTED_APP, DEFAULT_USER, ORG_ID, sandboxOrgId } from './core.ts';
export { DEFAULT_API_VERSIONS } from './versions.ts';

export interface SalesforceSandboxOptions {
  limits?: LimitOptions;
  multiCurrency?: { corporate: string; rates: Record<string, number> };
  connectedApps?: ConnectedApp[];
  users?: SandboxUserOptions[];
  accessTokenTtlSeconds?: number;
  apiVersions?: string[];
  faults?: FaultOptions;
  clock?: () => number;
  /** Bulk API 2.0: how long a job takes to process, and result rows per page when `maxRecords` is absent. */
  bulk?: { processingDelayMs?: number; resultPageRecords?: number };
  /** The org's 18-character id, default ORG_ID; `sandboxOrgId(2)` and on make other orgs. */
  orgId?: string;
}

export interface SalesforceSandbox {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Login URL and instance URL. */
  readonly url: string;
  readonly data: SandboxData;
  readonly stats: SandboxStats;
  /** The org's 18-character id (in identity URLs, token responses and the REST root's `identity`). */
  readonly orgId: string;
  /** A session that works from the start (DEFAULT_ACCESS_TOKEN in the default org). */
  readonly accessToken: string;
  setFaults(faults: FaultOptions): void;
  /** As if the user (the integration user unless named) approved the connected app: a code for the web-server flow. */
  issueAuthorizationCode(clientId?: string, username?: string): string;
  /** Every session issued so far (DEFAULT_ACCESS_TOKEN included) answers 401 INVALID_SESSION_ID from now on. */
  expireAccessTokens(): void;
}

export function createSalesforceSandbox(options: SalesforceSandboxOptions = {}): SalesforceSandbox {
  const core = createCore(options);
  const app = createApp(core);
  const data = createSandboxData(core, core.orgId);
  const served = listener(app, 'sandbox');
  return {
    listen: (port, host) => served.listen(port, host),
    close: () => served.close(),
    get url() {
      return served.url;
    },
    data,
    stats: core.stats,
    orgId: core.orgId,
    accessToken: core.staticAccessToken,
    setFaults: (faults) => core.faults.set(faults),
    issueAuthorizationCode: (clientId, username) => {
      const userId = username === undefined ? undefined : core.users.find((u) => u.username.toLowerCase() === username.toLowerCase())?.id;
      if (username !== undefined && userId === undefined) throw new Error(`unknown user ${username}`);
      return core.auth.issueCode(clientId, userId === undefined ? {} : { userId });
    },
    expireAccessTokens: () => core.auth.expireAll(),
  };
}
export { seedDemoDataset, seedSyntheticDataset } from './seed.ts';
