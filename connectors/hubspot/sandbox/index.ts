/**
 * A local HTTP server that behaves like HubSpot's documented CRM API (contacts, deals, properties,
 * search, associations v4, pipelines, OAuth), for integration tests, the benchmark and the demo.
 * See README.md for what is modelled and the choices made where HubSpot's docs are silent.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCore } from './core.ts';
import { createSandboxData, type SandboxData } from './data.ts';
import type { FaultOptions } from './faults.ts';
import { createApp } from './server.ts';
import type { SandboxStats } from './stats.ts';

export type { FaultOptions } from './faults.ts';
export type { SandboxStats } from './stats.ts';
export type { SandboxData, SandboxRecord } from './data.ts';
export { DEFAULT_OAUTH_CLIENT, DEFAULT_PRIVATE_APP_TOKEN } from './core.ts';

export interface HubSpotSandboxOptions {
  limits?: { tenSecondly?: number; daily?: number; searchPerSecond?: number; oauthTenSecondly?: number };
  searchLagMs?: number;
  associationPageSize?: number;
  faults?: FaultOptions;
  clock?: () => number;
  privateAppTokens?: { token: string; scopes?: string[] }[];
  oauthClients?: { clientId: string; clientSecret: string; redirectUri: string }[];
  accessTokenTtlSeconds?: number;
}

export interface HubSpotSandbox {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  readonly url: string;
  readonly data: SandboxData;
  readonly stats: SandboxStats;
  setFaults(faults: FaultOptions): void;
  issueAuthorizationCode(clientId?: string, scopes?: string[]): string;
  expireAccessTokens(): void;
}

export function createHubSpotSandbox(options: HubSpotSandboxOptions = {}): HubSpotSandbox {
  const core = createCore(options);
  const app = createApp(core);
  const data = createSandboxData(core);
  let server: Server | undefined;
  let url: string | undefined;
  return {
    listen(port = 0, host = '127.0.0.1') {
      if (server !== undefined) return Promise.reject(new Error('the sandbox is already listening'));
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
        // Keep-alive connections from fetch would otherwise hold close() open.
        s.closeAllConnections();
      });
    },
    get url() {
      if (url === undefined) throw new Error('the sandbox is not listening; call listen() first');
      return url;
    },
    data,
    stats: core.stats,
    setFaults: (faults) => core.faults.set(faults),
    issueAuthorizationCode: (clientId, scopes) => core.auth.issueCode(clientId, scopes),
    expireAccessTokens: () => core.auth.expireAll(),
  };
}

export { seedDemoDataset, seedSyntheticDataset } from './seed.ts';
