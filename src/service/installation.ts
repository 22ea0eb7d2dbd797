/**
 * The installations the service works for, each with its effective configuration (the file's, with the
 * installation's own settings over it) and its connection. Unscoped routes, the demo and the in-process
 * schedule of a single installation use the default one (chooseInstallation.ts: the environment's CRM,
 * else the only installation in the store); everything else names its installation. Connections are
 * kept between runs (an OAuth token source refreshes and stores its tokens) and dropped when an install
 * replaces the credentials.
 */
import { type CrmName, type Verification, verificationFailure } from '../../connectors/contract/index.ts';
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import type { Config } from '../config/schema.ts';
import { connect, recordCompanions, type Connection, type Env } from '../crm.ts';
import { companionIds, isCompanionId } from '../customerScopes.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Installation, Store } from '../store/types.ts';
import { chooseInstallation, cliWording, type ChoiceWording, type InstallationChoice } from './chooseInstallation.ts';

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

/** One installation as the routes and runs see it. */
export interface InstallationScope {
  installationId: string;
  crm: CrmName;
  /** The configuration file's, with the installation's own settings over it. */
  config: Config;
  /** Its row (the environment's installation has none before its first run). */
  installation: Installation | null;
}

export class Installations {
  private readonly o: InstallationsOptions;
  private readonly connections = new Map<string, { crm: CrmName; connection: Promise<Connection> }>();
  private readonly verified = new Map<string, { at: number; result: Verification }>();
  /** The default installation as last read (`refresh`, `defaultScope`), for the callers that cannot wait. */
  private current: { id: string; crm: CrmName } | null = null;

  constructor(options: InstallationsOptions) {
    this.o = options;
  }

  /** Reads the default installation again (at start, and after an install or a change of installations). */
  async refresh(): Promise<void> {
    await this.recordCompanions();
    try {
      await this.defaultScope();
    } catch {
      this.current = null;
    }
  }

  /** The default installation; NOT_CONFIGURED when there is none, `wording.several` when there are several. */
  async defaultScope(wording: ChoiceWording = serviceWording): Promise<InstallationScope> {
    try {
      const scope = this.toScope(await chooseInstallation(this.o.store, this.o.config, this.o.env, {}, wording));
      this.current = { id: scope.installationId, crm: scope.crm };
      return scope;
    } catch (error) {
      this.current = null;
      throw error;
    }
  }

  /** A named installation (NOT_FOUND when it does not exist or was removed). */
  async scope(installationId: string, wording: ChoiceWording = serviceWording): Promise<InstallationScope> {
    const installation = await this.o.store.getInstallation(installationId);
    // The environment's installation answers to its id before its first run has recorded it.
    if (!installation && this.current?.id === installationId) return this.defaultScope(wording);
    return this.toScope(await chooseInstallation(this.o.store, this.o.config, this.o.env, { installation: installationId }, wording));
  }

  private toScope(choice: InstallationChoice): InstallationScope {
    const { installationId, crm, installation } = choice;
    const config = effectiveConfig(this.o.config, installation ? readOverrides(installation.settings, installationId) : {}, installationId);
    return { installationId, crm, config, installation };
  }

  /** Each account installation's companions (other kinds of its customers, customerScopes.ts) have their row. */
  private async recordCompanions(): Promise<void> {
    for (const i of await this.o.store.listInstallations()) {
      if (i.status === 'uninstalled' || isCompanionId(i.id)) continue;
      let ids: string[];
      try {
        ids = companionIds(i.crm, this.o.config.connectors[i.crm], i.id);
      } catch {
        continue; // settings this process cannot read: the installation's own runs say why
      }
      await recordCompanions(this.o.store, i.crm, i.id, ids);
    }
  }

  /** The default installation's CRM as last read, or null (no I/O: logs and metrics). */
  activeCrm(): CrmName | null {
    return this.current?.crm ?? null;
  }

  /** The default installation's id as last read, or null. */
  installationId(): string | null {
    return this.current?.id ?? null;
  }

  connection(scope: InstallationScope): Promise<Connection> {
    const { installationId, crm } = scope;
    const cached = this.connections.get(installationId);
    if (cached?.crm === crm) return cached.connection;
    const connection = connect({ config: scope.config, env: this.o.env, store: this.o.store, crm, installationId, log: this.o.log });
    // A connection that failed (missing credentials) is tried afresh next time.
    void connection.catch(() => {
      if (this.connections.get(installationId)?.connection === connection) this.connections.delete(installationId);
    });
    this.connections.set(installationId, { crm, connection });
    return connection;
  }

  /** New credentials were stored (or an installation changed): the next connection reads them. */
  async reset(installationId?: string): Promise<void> {
    for (const map of [this.connections, this.verified]) {
      if (installationId === undefined) map.clear();
      else map.delete(installationId);
    }
    await this.refresh();
  }

  /** Whether the installation's credentials work (a cheap authenticated call), cached for a minute. */
  async verify(scope?: InstallationScope): Promise<Verification> {
    let s = scope;
    if (!s) {
      try {
        s = await this.defaultScope();
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error), code: 'NOT_CONFIGURED', status: null };
      }
    }
    const now = (this.o.clock ?? Date.now)();
    const cached = this.verified.get(s.installationId);
    if (cached && now - cached.at < (this.o.verifyCacheMs ?? 60_000)) return cached.result;
    let result: Verification;
    try {
      result = await (await this.connection(s)).connector.verify();
    } catch (error) {
      result = verificationFailure(error);
    }
    this.verified.set(s.installationId, { at: now, result });
    return result;
  }
}

/** The service's wording: several installations are reached by their id in the API's paths. */
export const serviceWording: ChoiceWording = {
  ...cliWording,
  several: (count, list) =>
    new LifecycleSyncError('INSTALLATION_REQUIRED', `${count} installations: name one (/api/installations/ID/… in the API, the installations view on the page): ${list}`),
  notFound: (id, removed) => `no installation ${id}${removed ? ' (it was removed)' : ''}`,
  none: () => notConfigured(),
};

function notConfigured(): LifecycleSyncError {
  return new LifecycleSyncError('NOT_CONFIGURED', 'no CRM is connected: set its credentials (see README) or install the app from the admin page');
}
