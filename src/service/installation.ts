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
  private cached: { crm: CrmName; connection: Promise<Connection> } | null = null;
  /** The CRM installed through the admin page (read from the store by `refresh`). */
  private installed: CrmName | null = null;
  private verified: { at: number; crm: CrmName; result: Verification } | null = null;

  constructor(options: InstallationsOptions) {
    this.o = options;
  }

  get config(): Config {
    return this.o.config;
  }

  /**
   * Reads which CRM was installed through the admin page: the most recently saved credentials (not
   * decrypted here: the service checked at start that they can be read). Called at start and after an
   * install; everything else reads the answer without going to the store.
   */
  async refresh(): Promise<void> {
    if (!this.o.env.ENCRYPTION_KEY) {
      this.installed = null;
      return;
    }
    const [latest] = await this.o.store.installationsWithCredentials();
    this.installed = latest === undefined ? null : ((await this.o.store.getInstallation(latest))?.crm ?? null);
  }

  /** The CRM in use, or null when none is configured or installed yet. */
  activeCrm(): CrmName | null {
    return resolveCrm(this.o.config, this.o.env) ?? this.installed;
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

  connection(): Promise<Connection> {
    const crm = this.activeCrm();
    if (!crm) return Promise.reject(notConfigured());
    if (this.cached?.crm !== crm) {
      const connection = connect({ config: this.o.config, env: this.o.env, store: this.o.store, crm, log: this.o.log });
      // A connection that failed (missing credentials) is tried afresh next time.
      void connection.catch(() => {
        if (this.cached?.connection === connection) this.cached = null;
      });
      this.cached = { crm, connection };
    }
    return this.cached.connection;
  }

  /** The connection made so far, if it is ready (metrics read the quota from it; no I/O). */
  connectionIfReady(): Connection | null {
    return this.ready;
  }

  private ready: Connection | null = null;

  /** New credentials were stored: the next connection reads them. */
  async reset(): Promise<void> {
    this.cached = null;
    this.ready = null;
    this.verified = null;
    await this.refresh();
  }

  /** Whether the credentials work (a cheap authenticated call), cached for a minute. */
  async verify(): Promise<Verification> {
    const crm = this.activeCrm();
    if (!crm) return { ok: false, message: 'no CRM is connected yet', code: 'NOT_CONFIGURED', status: null };
    const now = (this.o.clock ?? Date.now)();
    if (this.verified && this.verified.crm === crm && now - this.verified.at < (this.o.verifyCacheMs ?? 60_000)) return this.verified.result;
    let result: Verification;
    try {
      const connection = await this.connection();
      this.ready = connection;
      result = await connection.connector.verify();
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
