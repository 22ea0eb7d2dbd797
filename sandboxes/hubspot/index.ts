/**
 * A local HTTP server that behaves like HubSpot's documented CRM API (contacts, deals, properties,
 * search, associations v4, pipelines, OAuth; also at the date-based 2026-03/2026-09 paths), for the
 * integration tests, the benchmark and the demo.
 * See README.md for what is modelled and the choices made where HubSpot's docs are silent.
 */
import { createCore } from './core.ts';
import { createSandboxData, type SandboxData } from './data.ts';
import type { FaultOptions } from './faults.ts';
import type { PortalRule } from './portalRules.ts';
import { listener } from '../shared/server.ts';
import { createApp } from './server.ts';
import type { SandboxStats } from './stats.ts';

export type { FaultOptions } from './faults.ts';
export type { PortalRule } from './portalRules.ts';
export type { SandboxStats } from './stats.ts';
export type { WebhookSettings, WebhookStats, WebhookSubscription } from './webhooks.ts';
import type { WebhookSettings, WebhookStats } from './webhooks.ts';
export type { SandboxData, SandboxRecord } from './data.ts';
export { DEFAULT_OAUTH_CLIENT, DEFAULT_PRIVATE_APP_TOKEN } from './core.ts';
export { DEFAULT_PORTAL_ID } from './errors.ts';

export interface HubSpotSandboxOptions {
  limits?: { tenSecondly?: number; daily?: number; searchPerSecond?: number; oauthTenSecondly?: number };
  searchLagMs?: number;
  associationPageSize?: number;
  faults?: FaultOptions;
  clock?: () => number;
  privateAppTokens?: { token: string; scopes?: string[] }[];
  /** Service Keys: static bearer tokens with the scopes picked for each (all scopes when omitted). */
  serviceKeys?: { token: string; scopes?: string[] }[];
  oauthClients?: { clientId: string; clientSecret: string; redirectUri: string }[];
  /** Optional scopes an admin declines on the consent screen (GET /oauth/authorize grants the rest). */
  declinedOptionalScopes?: string[];
  accessTokenTtlSeconds?: number;
  /** The account's portal (hub) id, default 48151623: sandboxes with different ones are different accounts. */
  portalId?: number;
  /** The account's validation rules (conditionally required properties), applied to 2026-09 writes. */
  validationRules?: PortalRule[];
  /** Signed webhook deliveries to an app's target URL when records change (README "Webhooks"). */
  webhooks?: WebhookSettings;
}

export interface HubSpotSandbox {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  readonly url: string;
  readonly data: SandboxData;
  readonly stats: SandboxStats;
  /** The account's portal id (what /account-info/v3/details and the token metadata say). */
  readonly portalId: number;
  setFaults(faults: FaultOptions): void;
  issueAuthorizationCode(clientId?: string, scopes?: string[]): string;
  expireAccessTokens(): void;
  /** Replaces the account's validation rules (what an admin sets in HubSpot's property settings). */
  setValidationRules(rules: PortalRule[]): void;
  /** The app's webhook target, secret, id and subscriptions (null: no deliveries). */
  setWebhooks(settings: WebhookSettings | null): void;
  readonly webhooks: { readonly stats: WebhookStats; idle(): Promise<void> };
}

export function createHubSpotSandbox(options: HubSpotSandboxOptions = {}): HubSpotSandbox {
  const core = createCore(options);
  const app = createApp(core);
  const data = createSandboxData(core);
  const served = listener(app, 'sandbox');
  return {
    listen: (port, host) => served.listen(port, host),
    close: () => served.close(),
    get url() {
      return served.url;
    },
    data,
    stats: core.stats,
    portalId: core.portalId,
    setFaults: (faults) => core.faults.set(faults),
    issueAuthorizationCode: (clientId, scopes) => core.auth.issueCode(clientId, scopes),
    expireAccessTokens: () => core.auth.expireAll(),
    setValidationRules: (rules) => core.rules.set(rules),
    setWebhooks: (settings) => core.webhooks.configure(settings),
    webhooks: { stats: core.webhooks.stats, idle: () => core.webhooks.idle() },
  };
}

export { seedDemoDataset, seedSyntheticDataset } from './seed.ts';
