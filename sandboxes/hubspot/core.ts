/** The sandbox's state and services, shared by the routes and the direct data API. */
import { AuthRegistry, type OAuthClient, type Principal } from './auth.ts';
import { deliverChanges } from './changeEvents.ts';
import { DEFAULT_PORTAL_ID } from './errors.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { PortalRules, type PortalRule } from './portalRules.ts';
import { PropertyRegistry } from './properties.ts';
import { DEFAULT_LIMITS, RateLimiter, type Limits } from './rateLimit.ts';
import type { ObjectType } from './schema.ts';
import { SearchIndex } from './searchIndex.ts';
import { createStats, type SandboxStats } from './stats.ts';
import { Store } from './store.ts';
import { WebhookDispatcher, type WebhookSettings } from './webhooks.ts';
import { RecordWriter } from './writes.ts';

export interface CoreOptions {
  limits?: Partial<Limits>;
  searchLagMs?: number;
  associationPageSize?: number;
  faults?: FaultOptions;
  clock?: () => number;
  privateAppTokens?: { token: string; scopes?: string[] }[];
  /** Service Keys (the replacement for legacy private apps): static bearer tokens with their scopes. */
  serviceKeys?: { token: string; scopes?: string[] }[];
  oauthClients?: OAuthClient[];
  /** Optional scopes an admin declines on the consent screen (GET /oauth/authorize grants the rest). */
  declinedOptionalScopes?: string[];
  accessTokenTtlSeconds?: number;
  /** This sandbox account's portal (hub) id: give each sandbox its own to run several accounts. */
  portalId?: number;
  /** The account's validation rules, applied to writes on 2026-09 paths (portalRules.ts). */
  validationRules?: PortalRule[];
  /** Webhook deliveries to an app's target URL (webhooks.ts); none when absent. */
  webhooks?: WebhookSettings;
}

export const DEFAULT_PRIVATE_APP_TOKEN = 'sandbox-private-app-token';
export const DEFAULT_OAUTH_CLIENT: OAuthClient = {
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
  redirectUri: 'http://localhost:3000/oauth/hubspot/callback',
};

export interface Core {
  clock: () => number;
  portalId: number;
  store: Store;
  registry: PropertyRegistry;
  writer: RecordWriter;
  search: Record<ObjectType, SearchIndex>;
  auth: AuthRegistry;
  limiter: RateLimiter;
  faults: FaultInjector;
  stats: SandboxStats;
  associationPageSize: number;
  rules: PortalRules;
  webhooks: WebhookDispatcher;
  /** Who is making the request being handled (set around each API route's synchronous handler); null outside one. */
  actor: Principal | null;
}

export function createCore(options: CoreOptions = {}): Core {
  const clock = options.clock ?? Date.now;
  const lag = options.searchLagMs ?? 0;
  const associationPageSize = options.associationPageSize ?? 500;
  const portalId = options.portalId ?? DEFAULT_PORTAL_ID;
  // HubSpot documents portalId as an int32.
  if (!(Number.isInteger(portalId) && portalId > 0 && portalId <= 2 ** 31 - 1)) throw new Error(`portalId must be a positive 32-bit integer, got ${portalId}`);
  if (!(lag >= 0)) throw new Error(`searchLagMs must be ≥ 0, got ${lag}`);
  if (!(Number.isInteger(associationPageSize) && associationPageSize > 0)) {
    throw new Error(`associationPageSize must be a positive integer, got ${associationPageSize}`);
  }
  const rules = new PortalRules();
  rules.set(options.validationRules ?? []);
  const store = new Store();
  const registry = new PropertyRegistry(clock);
  const writer = new RecordWriter(store, registry, clock, portalId);
  const search: Record<ObjectType, SearchIndex> = {
    contacts: new SearchIndex('contacts', registry, lag),
    companies: new SearchIndex('companies', registry, lag),
    deals: new SearchIndex('deals', registry, lag),
  };
  // Every write reaches search only through this queue, which is what makes search lag behind.
  writer.onWrite((type, snap) => search[type].enqueue(snap, clock()));
  registry.onChange((type, name) => search[type].invalidate(name));
  const webhooks = new WebhookDispatcher(portalId, clock);
  webhooks.configure(options.webhooks ?? null);
  const changes = deliverChanges({ dispatcher: webhooks, appId: () => webhooks.appId, actor: () => core.actor, clock });
  writer.onWrite(changes.write);
  store.associations.onChange(changes.association('contacts'));
  store.companyDeals.onChange(changes.association('companies'));
  const core: Core = {
    clock,
    portalId,
    store,
    registry,
    writer,
    search,
    auth: new AuthRegistry({
      clock,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 1800,
      portalId,
      privateAppTokens: options.privateAppTokens ?? [{ token: DEFAULT_PRIVATE_APP_TOKEN }],
      serviceKeys: options.serviceKeys ?? [],
      oauthClients: options.oauthClients ?? [DEFAULT_OAUTH_CLIENT],
      declinedOptionalScopes: options.declinedOptionalScopes ?? [],
    }),
    limiter: new RateLimiter({ ...DEFAULT_LIMITS, ...options.limits }),
    faults: new FaultInjector(options.faults),
    stats: createStats(),
    associationPageSize,
    rules,
    webhooks,
    actor: null,
  };
  return core;
}
