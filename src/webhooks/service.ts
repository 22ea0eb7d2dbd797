/**
 * The service's webhooks: for every connector that receives them (its definition's `webhooks`), the
 * intake that records the work; and the drainer that carries it out, handing rescores to the handler.
 */
import { connectorDefinitions } from '../../connectors/registry.ts';
import type { Environment } from '../../connectors/contract/index.ts';
import type { Config } from '../config/schema.ts';
import { companionIds, installationCustomers } from '../customerScopes.ts';
import type { Logger } from '../log.ts';
import { installationOfAccount } from '../service/accountInstallation.ts';
import type { Installations } from '../service/installation.ts';
import type { Store } from '../store/types.ts';
import { WebhookDrainer, type DrainerOptions, type RescoreHandler } from './drainer.ts';
import { receiveWebhook, type IncomingWebhook, type IntakeOptions, type IntakeResult } from './intake.ts';

export interface WebhookServiceOptions {
  config: Config;
  env: Environment;
  store: Store;
  installations: Installations;
  log: Logger;
  handler: RescoreHandler | null;
  /** The drainer's timings (tests shorten them). */
  drainer?: Omit<DrainerOptions, 'store' | 'log' | 'handler'>;
  clock?: () => number;
}

export class WebhookService {
  readonly drainer: WebhookDrainer;
  private readonly intakes = new Map<string, IntakeOptions>();

  constructor(o: WebhookServiceOptions) {
    this.drainer = new WebhookDrainer({ store: o.store, log: o.log, handler: o.handler, clock: o.clock, ...o.drainer });
    for (const d of connectorDefinitions()) {
      if (!d.webhooks) continue;
      const settings = o.config.connectors[d.name];
      let ownFields: string[] = [];
      try {
        ownFields = Object.values(d.fieldNames(settings, o.env));
      } catch {
        // Settings this process cannot read: its own runs fail with the reason; events are still received.
      }
      // Each installation keeps its own kind of customer's changes: with several kinds (customerScopes.ts),
      // the account's installation its own (contacts), each companion its kind (companies).
      const customerRecordOf = (installationId: string): Promise<string | null> => {
        try {
          return Promise.resolve(d.customerRecord?.(installationCustomers(d.name, settings, installationId).settings, o.env) ?? null);
        } catch {
          return Promise.resolve(null);
        }
      };
      const companionsOf = (installationId: string): string[] => {
        try {
          return companionIds(d.name, settings, installationId);
        } catch {
          return [];
        }
      };
      this.intakes.set(d.name, {
        crm: d.name,
        receiver: d.webhooks,
        store: o.store,
        env: o.env,
        log: o.log,
        installationOf: async (crm, accountId) => (await installationOfAccount(o.store, o.installations, crm, accountId))?.installationId ?? null,
        ownFields,
        companionsOf,
        customerRecordOf,
        clock: o.clock,
        onWork: (id) => this.drainer.poke(id),
      });
    }
  }

  /** Null when the CRM sends no webhooks here. */
  receive(crm: string, request: IncomingWebhook): Promise<IntakeResult> | null {
    const intake = this.intakes.get(crm);
    return intake ? receiveWebhook(intake, request) : null;
  }

  start(): void {
    this.drainer.start();
  }

  stop(): Promise<void> {
    return this.drainer.stop();
  }
}
