/**
 * GET /hubspot/card/contacts/:objectId and /hubspot/card/companies/:objectId: the data of the app card on a
 * HubSpot contact or company record (hubspot-app/src/app/cards/), asked for by the card through
 * `hubspot.fetch`. A record of another kind than the installation's customers (a company where contacts
 * are scored, or the reverse) gets "not scored here" and where to look, without any lookup. Outside the admin token:
 * HubSpot's proxy calls it, adding the account and user to the query (`portalId`, `userId`, `userEmail`:
 * the SDK's ProxyMetadata; the docs add `appId`) and signing the request with the app's client secret (X-HubSpot-Signature-v3 over the method, the public URL it
 * called, the body and the timestamp). The signature is checked first, so an unsigned or stale request
 * learns nothing, not even whether a portal is known; then the signed portal id picks the installation,
 * and only that installation's data answers: a contact id of another portal is simply not found there.
 * With `customerObject: both` a company's card is answered by the account's companies installation.
 */
import { Router } from 'express';
import { z } from 'zod';
import { connectorDefinition } from '../../../connectors/registry.ts';
import { installationCustomers } from '../../customerScopes.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { installationOfAccount } from '../../service/accountInstallation.ts';
import { CARD_OBJECTS, cardData, cardShowsCustomers, otherCustomersCard } from '../../sync/cardData.ts';
import { describeOptions } from '../../sync/describe.ts';
import { explainCustomer, type Explanation } from '../../sync/explain.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validate.ts';

export const HUBSPOT_CARD_PATH = '/hubspot/card';

const params = z.object({
  objectType: z.enum(CARD_OBJECTS),
  objectId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot record id'),
});
// HubSpot's proxy adds these (userEmail and userId are read by no one here, and never logged).
const query = z.object({ portalId: z.string().regex(/^\d{1,20}$/, 'must be the HubSpot account id the proxy adds') });

export function hubspotCardRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.get(`${HUBSPOT_CARD_PATH}/:objectType/:objectId`, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const verifier = connectorDefinition('hubspot')?.appRequests;
    const missing = verifier ? verifier.missing(ctx.env) : 'no HubSpot connector';
    if (!verifier || missing) throw new HttpError(503, 'NOT_CONFIGURED', `the HubSpot app card cannot be answered: ${missing}`);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const check = verifier.verify({ method: req.method, uri: `${ctx.publicUrl()}${req.originalUrl}`, body: '', headers }, ctx.env, Date.now());
    if (!check.ok) {
      ctx.log.warn('HubSpot card request refused', { reason: check.reason });
      throw new HttpError(401, 'BAD_SIGNATURE', `not a request signed by HubSpot for this server: ${check.reason}`);
    }
    const { objectType, objectId } = parseInput(params, req.params, 'params');
    const { portalId } = parseInput(query, req.query, 'query');
    const scope = await installationOfAccount(ctx.store, ctx.installations, 'hubspot', portalId);
    if (!scope) throw new HttpError(404, 'UNKNOWN_PORTAL', 'this HubSpot account is not connected to Lifecycle Sync: an admin installs it from the admin page');
    // The installation scoring this kind of record: the account's own, or (customerObject both) its companion.
    // A record of no kind scored here has no scores, and its id may be a customer's: never look it up.
    const customersOf = (settings: unknown) => connectorDefinition('hubspot')?.customerRecord?.(settings, ctx.env) ?? 'contact';
    const raw = scope.config.connectors.hubspot;
    const kinds = installationCustomers('hubspot', raw, scope.installationId);
    const target = [scope.installationId, ...kinds.companionIds].find((id) => cardShowsCustomers(objectType, customersOf(installationCustomers('hubspot', raw, id).settings)));
    if (target === undefined) {
      res.json(otherCustomersCard(objectId, objectType, customersOf(kinds.settings)));
      return;
    }
    let explanation: Explanation | null = null;
    try {
      explanation = await explainCustomer(ctx.store, target, objectId);
    } catch (error) {
      if (!(error instanceof LifecycleSyncError && error.code === 'NOT_FOUND')) throw error;
    }
    res.json(cardData(explanation, objectId, objectType, describeOptions(scope.config, 'HubSpot')));
  });
  return router;
}
