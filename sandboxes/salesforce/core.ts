/** The sandbox's state and services, shared by the routes and the direct data API. */
import { AuthRegistry, type ConnectedApp } from './auth.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { FieldSecurity } from './fls.ts';
import { canonicalId, makeId } from './ids.ts';
import { ApiUsage, type LimitOptions } from './limits.ts';
import { SchemaRegistry } from './registry.ts';
import type { Value } from './schema.ts';
import { createCurrencyConverter, type CurrencyConverter } from './soql/currency.ts';
import { createStats, type RequestEvent, type SandboxStats } from './stats.ts';
import { Store } from './store.ts';
import { DEFAULT_API_VERSIONS } from './versions.ts';
import { RecordWriter, type WriteContext } from './writes.ts';

export interface SandboxUserOptions {
  username: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** With multi-currency: the user's currency, which convertCurrency() converts to. */
  currencyIsoCode?: string;
}

export interface CoreOptions {
  limits?: LimitOptions;
  multiCurrency?: { corporate: string; rates: Record<string, number> };
  connectedApps?: ConnectedApp[];
  users?: SandboxUserOptions[];
  accessTokenTtlSeconds?: number;
  apiVersions?: string[];
  faults?: FaultOptions;
  clock?: () => number;
  bulk?: { processingDelayMs?: number; resultPageRecords?: number };
  /** The org's 18-character id (prefix 00D), default ORG_ID: sandboxes with different ones are different orgs. */
  orgId?: string;
}

/** The id of the n-th sandbox org (n ≥ 1): an 18-character Organization id, as Salesforce returns them. */
export function sandboxOrgId(n: number): string {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`an org number is a positive integer, got ${n}`);
  return makeId('00D', n);
}

export const ORG_ID = sandboxOrgId(1);
/** The session every sandbox holds from the start; access tokens begin with the org's 15-character id. */
export function staticAccessToken(orgId: string): string {
  return `${orgId.slice(0, 15)}!AQsandboxDefaultAccessToken`;
}
export const DEFAULT_ACCESS_TOKEN = staticAccessToken(ORG_ID);
export const DEFAULT_CONNECTED_APP: ConnectedApp = {
  clientId: 'sandbox-consumer-key',
  clientSecret: 'sandbox-consumer-secret',
  redirectUri: 'http://localhost:3000/oauth/salesforce/callback',
};
export const DEFAULT_USER: SandboxUserOptions = { username: 'integration@lifecycle-sync.example', firstName: 'Integration', lastName: 'User', email: 'integration@lifecycle-sync.example' };
/** The permission set that stands for the integration user's profile (it grants the org's own custom fields). */
export const PROFILE_PERMISSION_SET = 'X00e5e000000001';

export interface Core {
  clock: () => number;
  orgId: string;
  /** The session the sandbox starts with (DEFAULT_ACCESS_TOKEN for the default org). */
  staticAccessToken: string;
  registry: SchemaRegistry;
  store: Store;
  fls: FieldSecurity;
  writer: RecordWriter;
  auth: AuthRegistry;
  usage: ApiUsage;
  faults: FaultInjector;
  stats: SandboxStats & { emit(event: RequestEvent): void };
  versions: ReadonlySet<string>;
  latestVersion: string;
  currency: CurrencyConverter | undefined;
  users: { id: string; username: string }[];
  integrationUserId: string;
  bulk: { processingDelayMs: number; resultPageRecords: number };
  system(): WriteContext;
}

function createOrThrow(writer: RecordWriter, objectName: string, values: Record<string, Value>, ctx: WriteContext): string {
  const planned = writer.plan(objectName, 'create', values, ctx);
  if (!planned.ok) throw new Error(`cannot create ${objectName}: ${JSON.stringify(planned.errors)}${planned.parseError?.message ?? ''}`);
  return String(planned.apply().Id);
}

export function createCore(options: CoreOptions = {}): Core {
  const clock = options.clock ?? Date.now;
  const multiCurrency = options.multiCurrency;
  const orgId = options.orgId ?? ORG_ID;
  if (!orgId.startsWith('00D') || canonicalId(orgId) !== orgId) throw new Error(`orgId must be an 18-character Organization id (00D…), got ${orgId}`);
  if (multiCurrency !== undefined && !Object.values(multiCurrency.rates).every((r) => r > 0)) throw new Error('multiCurrency rates must be positive');
  const registry = new SchemaRegistry(multiCurrency === undefined ? {} : { multiCurrency });
  const store = new Store(registry);
  const fls = new FieldSecurity(store, registry);
  const users: { id: string; username: string }[] = [];
  const writer = new RecordWriter({ store, registry, fls, systemUserId: () => users[0]?.id ?? makeId('005', 1) });
  const system = (): WriteContext => ({ userId: null, now: clock() });

  for (const u of options.users ?? [DEFAULT_USER]) {
    const id = createOrThrow(writer, 'User', {
      Username: u.username,
      FirstName: u.firstName ?? null,
      LastName: u.lastName ?? u.username.split('@')[0],
      Email: u.email ?? u.username,
      ...(multiCurrency === undefined ? {} : { DefaultCurrencyIsoCode: u.currencyIsoCode ?? multiCurrency.corporate }),
    }, system());
    users.push({ id, username: u.username });
  }
  if (users.length === 0) throw new Error('the sandbox needs at least one user');
  const profileSet = createOrThrow(writer, 'PermissionSet', { Name: PROFILE_PERMISSION_SET, Label: 'System Administrator', IsOwnedByProfile: true }, system());
  for (const f of registry.object('Contact')?.fields.filter((x) => x.custom) ?? []) {
    createOrThrow(writer, 'FieldPermissions', { ParentId: profileSet, SobjectType: 'Contact', Field: `Contact.${f.name}`, PermissionsRead: true, PermissionsEdit: true }, system());
  }
  for (const u of users) createOrThrow(writer, 'PermissionSetAssignment', { AssigneeId: u.id, PermissionSetId: profileSet }, system());
  if (multiCurrency !== undefined) {
    createOrThrow(writer, 'CurrencyType', { IsoCode: multiCurrency.corporate, ConversionRate: 1, IsCorporate: true, DecimalPlaces: 2 }, system());
    for (const [iso, rate] of Object.entries(multiCurrency.rates)) {
      if (iso !== multiCurrency.corporate) createOrThrow(writer, 'CurrencyType', { IsoCode: iso, ConversionRate: rate, DecimalPlaces: 2 }, system());
    }
  }

  const versions = options.apiVersions ?? [...DEFAULT_API_VERSIONS];
  if (versions.length === 0 || !versions.every((v) => /^\d{2,3}\.\d$/.test(v))) throw new Error(`apiVersions must look like "65.0", got ${versions.join(', ')}`);
  const latestVersion = [...versions].sort((a, b) => Number(b) - Number(a))[0];
  const usersByName = new Map(users.map((u) => [u.username.toLowerCase(), u.id]));
  const auth = new AuthRegistry({
    clock,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 7200,
    orgId,
    connectedApps: options.connectedApps ?? [DEFAULT_CONNECTED_APP],
    userIdOf: (username) => usersByName.get(username.toLowerCase()),
    defaultUserId: () => users[0].id,
  });
  auth.addStaticSession(staticAccessToken(orgId), users[0].id);
  const processingDelayMs = options.bulk?.processingDelayMs ?? 200;
  const resultPageRecords = options.bulk?.resultPageRecords ?? 10_000;
  if (!(processingDelayMs >= 0) || !(Number.isInteger(resultPageRecords) && resultPageRecords > 0)) throw new Error('bulk options must be non-negative');
  return {
    clock,
    orgId,
    staticAccessToken: staticAccessToken(orgId),
    registry,
    store,
    fls,
    writer,
    auth,
    usage: new ApiUsage(options.limits),
    faults: new FaultInjector(options.faults),
    stats: createStats(),
    versions: new Set(versions),
    latestVersion,
    currency: multiCurrency === undefined ? undefined : createCurrencyConverter(store, multiCurrency.corporate),
    users,
    integrationUserId: users[0].id,
    bulk: { processingDelayMs, resultPageRecords },
    system,
  };
}
