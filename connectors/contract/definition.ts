/**
 * How a connector presents itself to the program: one definition per CRM, listed in the registry
 * (connectors/registry.ts). The program never names a CRM: it asks the registry for the definition and
 * goes through it for the connector's settings (a section of the configuration file), how its
 * credentials come from the environment or the store, how it connects, its OAuth install and its field
 * naming. Adding a CRM is a folder with a definition, and a line in the registry.
 */
import type { z } from 'zod';
import type { Connector, CrmName } from './connector.ts';
import type { DealFieldKey, FieldKey, FieldSpec } from './fields.ts';
import type { ConnectorLogger, CredentialStore, StoredCredentials } from './host.ts';
import type { WebhookReceiver } from './webhooks.ts';
import type { AppRequestVerifier } from './signedRequests.ts';

/** The process environment as the host passes it (never process.env directly: tests pass their own). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The host's retry policy for transient CRM failures (config `sync.retry`). */
export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  rateLimitDelayMs: number;
  maxDelayMs: number;
}

export interface ConnectInput {
  /** The connector's section of the configuration, validated by its schema (environment overrides applied). */
  settings: unknown;
  env: Environment;
  /** The engine's field specifications (canonical values, field creation). */
  fields: FieldSpec[];
  /**
   * The engine's deal field specifications (MEDDIC inputs and the plugin's deal outputs): when given and
   * not empty, the connector has `deals`; absent, nothing of deals changes.
   */
  dealFields?: FieldSpec<DealFieldKey>[];
  /** This installation's stored credentials (an OAuth install's tokens, renewed sessions). */
  credentials: CredentialStore;
  log: ConnectorLogger;
  /** Share of the CRM's short-window rate limit to pace at (config `sync.burstShare`). */
  burstShare: number;
  retry: RetrySettings;
}

/** An OAuth install's result: the credentials to store, whose they are, and how to show the installation. */
export interface OAuthGrant {
  credentials: StoredCredentials;
  name: string;
  /** The CRM account that granted access (HubSpot portal id, Salesforce org id): one installation each. */
  accountId: string;
  /**
   * Where the account's API is, as account variables (of `accountVariables`; never a secret): what the
   * installation connects with besides its credentials (HUBSPOT_BASE_URL, SALESFORCE_LOGIN_URL).
   */
  accountEnv: Record<string, string>;
}

/** A CRM's OAuth app as the install routes use it. */
export interface OAuthProvider {
  readonly crm: CrmName;
  readonly label: string;
  /** Null when the app's client id and secret are set; else what is missing, for the admin. */
  missing(): string | null;
  authorizeUrl(o: { state: string; redirectUri: string; codeVerifier: string }): string;
  exchange(o: { code: string; redirectUri: string; codeVerifier: string }): Promise<OAuthGrant>;
}

/**
 * What the configuration needs of a connector: its section's name and schema. Kept apart from the
 * connector's code (connectors/sections.ts), so that reading the configuration loads no connector.
 */
export interface ConnectorSection {
  /** The registry key, the configuration section's name and `--crm`'s value: 'hubspot'. */
  readonly name: CrmName;
  /** For people: 'HubSpot'. */
  readonly label: string;
  /** The configuration section's schema (config/default.yaml may hold its documented defaults). */
  readonly settingsSchema: z.ZodType;
}

/** One kind of customer an account is scored for (HubSpot's contacts or companies, with `customerObject: both`). */
export interface CustomerScope {
  /** Stable and short ('contacts', 'companies'): a companion installation's id ends with `--<key>`. */
  key: string;
  /** The connector's settings for this kind alone: what `connect`, `customerRecord` and `fieldNames` take. */
  settings: unknown;
}

export interface ConnectorDefinition extends ConnectorSection {
  /** The environment holds credentials for this CRM: it is chosen when the configuration names none. */
  hasEnvCredentials(env: Environment): boolean;
  /**
   * The environment variables that belong to one CRM account: its credentials and where its API is (not
   * the OAuth app's client id and secret, which serve every account). \`installations add\` keeps these
   * for the installation, which then connects with them and never with the process's.
   */
  readonly accountVariables: readonly string[];
  /** An OAuth app is configured in the environment (the admin page can install with it). */
  hasOAuthApp(env: Environment): boolean;
  /** The CRM name of each of the plugin's fields. */
  fieldNames(settings: unknown, env: Environment): Record<FieldKey, string>;
  /**
   * What an installation's customers are in the CRM ("contact", "company"), where the CRM has several
   * kinds: webhook changes about another kind (`WebhookChange.record`) are ignored for it.
   */
  customerRecord?(settings: unknown, env: Environment): string;
  /**
   * Where the settings ask for several kinds of customers at once (HubSpot's `customerObject: both`): one
   * scope per kind, the installation's own first; the host scores each other kind as a companion
   * installation on the same account and credentials, so populations, fits and runs never mix. Absent,
   * or one scope: the settings' one kind.
   */
  customerScopes?(settings: unknown): CustomerScope[];
  /** How the installation is shown before an OAuth install names it ("HubSpot (api.hubapi.com)"). */
  installationName(settings: unknown, env: Environment): string;
  connect(input: ConnectInput): Connector;
  /** The CRM's OAuth install, when it has one. */
  oauth?(settings: unknown, env: Environment): OAuthProvider;
  /** The CRM's change notifications, when it sends them (POST /webhooks/<name>). */
  readonly webhooks?: WebhookReceiver;
  /** Checks the requests the CRM signs for the app (HubSpot's app card), when it makes any. */
  readonly appRequests?: AppRequestVerifier;
}
