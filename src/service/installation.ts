/**
 * Which installation the service works for, and its connection. The CRM comes from the configuration or
 * the environment's credentials (as for the CLI), else from an OAuth install made on the admin page
 * (credentials in the store). The connection is kept between runs (an OAuth token source refreshes and
 * stores its tokens) and dropped when an install replaces the credentials.
 */
import { type CrmName, type Verification, verificationFailure } from '../../connectors/contract/index.ts';
import type { Config } from '../config/schema.ts';
import { connect, resolveCrm, type Connection, type Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';

export type { Verification };

export interface InstallationsOptions {
  config: Config;
  env: Env;
  store: Store;
  log: Logger;
  clock?: () => number;
  /** How long a credentials check is reused (the page and /readyz ask often). */
  verifyCacheMs?: number;
}

export class Installations {
  private readonly o: InstallationsOptions;
  private cached: { crm: CrmName; connection: Connection } | null = null;
  private verified: { at: number; crm: CrmName; result: Verification } | null = null;

  constructor(options: InstallationsOptions) {
    this.o = options;
  }

  get config(): Config {
    return this.o.config;
  }

  /** The CRM in use, or null when none is configured or installed yet. */
  activeCrm(): CrmName | null {
    const configured = resolveCrm(this.o.config, this.o.env);
    if (configured) return configured;
    if (!this.o.env.ENCRYPTION_KEY) return null;
    // Installed through the admin page: the most recently saved credentials (not decrypted here:
    // the service checked at start that they can be read).
    const [latest] = this.o.store.installationsWithCredentials();
    return latest === undefined ? null : (this.o.store.getInstallation(latest)?.crm ?? null);
  }

  /** The installation id of the CRM in use (one installation per CRM). */
  installationId(): string | null {
    return this.activeCrm();
  }

  requireInstallationId(): string {
    const id = this.installationId();
    if (!id) throw notConfigured();
    return id;
  }

  connection(): Connection {
    const crm = this.activeCrm();
    if (!crm) throw notConfigured();
    if (this.cached?.crm !== crm) {
      this.cached = { crm, connection: connect({ config: this.o.config, env: this.o.env, store: this.o.store, crm, log: this.o.log }) };
    }
    return this.cached.connection;
  }

  /** The connection if one can be made now, else null (no throw: for metrics and status). */
  connectionIfReady(): Connection | null {
    try {
      return this.activeCrm() ? this.connection() : null;
    } catch {
      return null;
    }
  }

  /** New credentials were stored: the next connection reads them. */
  reset(): void {
    this.cached = null;
    this.verified = null;
  }

  /** Whether the credentials work (a cheap authenticated call), cached for a minute. */
  async verify(): Promise<Verification> {
    const crm = this.activeCrm();
    if (!crm) return { ok: false, message: 'no CRM is connected yet', code: 'NOT_CONFIGURED', status: null };
    const now = (this.o.clock ?? Date.now)();
    if (this.verified && this.verified.crm === crm && now - this.verified.at < (this.o.verifyCacheMs ?? 60_000)) return this.verified.result;
    let result: Verification;
    try {
      result = await this.connection().connector.verify();
    } catch (error) {
      result = verificationFailure(error);
    }
    this.verified = { at: now, crm, result };
    return result;
  }
}

function notConfigured(): LifecycleSyncError {
  return new LifecycleSyncError('NOT_CONFIGURED', 'no CRM is connected: set its credentials (see README) or install the app from the admin page');
}
