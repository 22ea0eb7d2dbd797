/**
 * The HubSpot app card's route (GET /hubspot/card/contacts/:objectId), called as HubSpot's proxy calls it:
 * over real HTTP, with the query parameters `hubspot.fetch` adds and a real v3 signature made with the
 * app's client secret over the service's public URL (not the local address the request reaches, as
 * behind a proxy). Two portals on one server: each signed portal id reaches its own installation's data
 * only. Bad, stale or missing signatures, and unknown portals, get a 4xx that says nothing of any contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { parseCardData } from '../../hubspot-app/src/app/cards/cardData.ts';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const PUBLIC_URL = 'https://lifecycle.example.test';
const SECRET = 'card-client-secret-0f1e2d3c4b5a69788796';
const TOKEN_B = 'pat-na1-card-b-000000000000000000000';
const PORTAL_B = 7_000_002;

let s: ServiceHarness;
let other: HubSpotSandbox;
const A = 'hubspot';
let B = '';
let portalA = '';

interface CardCall {
  portalId?: string;
  secret?: string;
  /** Milliseconds since the epoch the request claims to be signed at. */
  timestamp?: number;
  /** Sign over this address instead of the public URL. */
  signedUrl?: string;
  signature?: string | null;
  extraQuery?: string;
  /** The record kind the card is on. */
  object?: 'contacts' | 'companies';
}

/** A card request as HubSpot's proxy sends it for `hubspot.fetch(PUBLIC_URL + path)`. */
async function card(objectId: string, o: CardCall = {}): Promise<{ status: number; body: unknown; text: string }> {
  const query = `?userId=4242&portalId=${o.portalId ?? portalA}&userEmail=rep%40example.com&appId=123456${o.extraQuery ?? ''}`;
  const path = `/hubspot/card/${o.object ?? 'contacts'}/${objectId}${query}`;
  const timestamp = String(o.timestamp ?? Date.now());
  const signature = o.signature === undefined ? signatureV3({ method: 'GET', uri: `${o.signedUrl ?? PUBLIC_URL}${path}`, body: '', timestamp }, o.secret ?? SECRET) : o.signature;
  const headers: Record<string, string> = { 'x-hubspot-request-timestamp': timestamp };
  if (signature !== null) headers['x-hubspot-signature-v3'] = signature;
  const response = await fetch(`${s.url}${path}`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON
  }
  return { status: response.status, body, text };
}

async function run(installation: string, path = 'sync'): Promise<string> {
  const started = await s.api(`/api/installations/${installation}/${path}`, { method: 'POST', body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  expect((await s.waitForRun(runId)).status).toBe('succeeded');
  return runId;
}

let syncA = '';

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, serviceEnv: { PUBLIC_URL, HUBSPOT_CLIENT_SECRET: SECRET } });
  portalA = String(s.h.sandbox.portalId);
  other = createHubSpotSandbox({ portalId: PORTAL_B, privateAppTokens: [{ token: TOKEN_B }] });
  seedSyntheticDataset(other.data, { contacts: 45, seed: 91, today: new Date() });
  const url = await other.listen();
  B = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Beta portal', accountId: String(PORTAL_B) })).installation.id;
  await s.h.store.saveAccountEnv(B, { HUBSPOT_ACCESS_TOKEN: TOKEN_B, HUBSPOT_BASE_URL: url });
  syncA = await run(A);
  await run(B);
}, 180_000);
afterAll(async () => {
  await s?.close();
  await other?.close();
});

/** A contact the installation scored, with its stage written. */
async function scoredContact(installation: string, ids: string[]): Promise<{ id: string; customer: CustomerAnswer }> {
  for (const id of ids) {
    const answer = await s.api(`/api/installations/${installation}/customers/${id}`);
    const customer = answer.body as CustomerAnswer;
    if (answer.status === 200 && customer.scores?.values.churnRisk && customer.history.some((h) => h.field === 'stage')) return { id, customer };
  }
  throw new Error(`no scored customer with a purchase in ${installation}`);
}

interface CustomerAnswer {
  scores: { asOf: string; values: Record<string, string | null> } | null;
  history: { field: string; next: string | null }[];
  description: { stage: string | null; reason: string | null };
}

describe('the card’s data for a signed request', () => {
  it('is the contact’s scores, reason, next action and stage history, as the admin API knows them', async () => {
    // A's installation has no recorded account (the environment's token): its credentials check names the portal.
    expect((await s.h.store.getInstallation(A))?.accountId).toBeNull();
    const { id, customer } = await scoredContact(A, s.h.sandbox.data.contactIds());
    const r = await card(id);
    expect(r.status, r.text).toBe(200);
    const data = parseCardData(r.body);
    if (!data.scored) throw new Error('expected a scored contact');
    const v = customer.scores?.values ?? {};
    expect(data).toMatchObject({ recordId: id, object: 'contacts' });
    expect(data.stage).toMatchObject({ value: v.stage, label: customer.description.stage, reason: customer.description.reason });
    expect(data.churnRisk?.percent).toBe(Number(v.churnRisk));
    expect(data.churnRisk?.band).toBe(v.churnRiskBand);
    expect(data.predictedClv?.amount).toBe(Number(v.predictedClv));
    expect(data.predictedClv?.text).toMatch(/^\$[\d,]+(\.\d\d)?$/);
    expect(data.ltv?.amount).toBe(Number(v.ltv));
    expect(data.valueTier?.value).toBe(v.valueTier);
    expect(data.expectedPurchases?.count).toBe(Number(v.expectedPurchases));
    expect(data.nextAction).toBe(v.nextAction);
    expect(data.asOf).toBe(customer.scores?.asOf);
    // The timeline: the stage written by the sync, in words.
    expect(data.history.length).toBeGreaterThan(0);
    expect(data.history[0]).toMatchObject({ to: customer.description.stage, run: 'Sync', rolledBack: false });
    expect(r.text).not.toContain('rep@example.com');
  });

  it('answers each portal from its own installation: a contact of B asked for as portal A gets nothing of B', async () => {
    const inA = new Set(s.h.sandbox.data.contactIds());
    const onlyB = other.data.contactIds().filter((id) => !inA.has(id));
    expect(onlyB.length).toBeGreaterThan(0);
    const { id: bContact, customer: bCustomer } = await scoredContact(B, onlyB);
    // B's own portal sees it.
    const asB = await card(bContact, { portalId: String(PORTAL_B) });
    expect(asB.status).toBe(200);
    expect(parseCardData(asB.body)).toMatchObject({ recordId: bContact, object: 'contacts', scored: true, stage: { value: bCustomer.scores?.values.stage } });
    // Portal A asking for the same id: not scored, and nothing of B's answer in it.
    const asA = await card(bContact, { portalId: portalA });
    expect(asA.status).toBe(200);
    expect(parseCardData(asA.body)).toEqual({ recordId: bContact, object: 'contacts', scored: false, elsewhere: false, message: expect.stringMatching(/not seen this contact/) as unknown });
    for (const value of Object.values(bCustomer.scores?.values ?? {})) if (value && value.length > 3) expect(asA.text).not.toContain(value);
    // Ids both portals have: each portal gets its own installation's scores.
    const both = other.data.contactIds().filter((id) => inA.has(id));
    for (const id of both.slice(0, 5)) {
      const mine = (await s.api(`/api/installations/${A}/customers/${id}`)).body as CustomerAnswer;
      const r = parseCardData((await card(id)).body);
      expect(r.scored ? r.stage?.reason : null).toBe(mine.scores ? mine.description.reason : null);
    }
  });

  it('answers a company card of this contacts installation with "not scored here", looking nothing up', async () => {
    const { id, customer } = await scoredContact(A, s.h.sandbox.data.contactIds());
    // The id of a scored contact, asked for as a company: never its scores.
    const r = await card(id, { object: 'companies' });
    expect(r.status, r.text).toBe(200);
    expect(parseCardData(r.body)).toEqual({ recordId: id, object: 'companies', scored: false, elsewhere: true, message: "Not scored here: Lifecycle Sync scores contact records in this account, not company records; see the company's contacts." });
    for (const value of Object.values(customer.scores?.values ?? {})) if (value && value.length > 3) expect(r.text).not.toContain(value);
  });

  it('refuses a record kind the card is not on', async () => {
    const r = await card('1001', { object: 'deals' as 'contacts' });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/objectType/);
  });

  it('says "not scored yet" for a contact the installation has not scored', async () => {
    const r = await card('987654321');
    expect(r.status).toBe(200);
    expect(parseCardData(r.body)).toMatchObject({ scored: false, message: expect.stringMatching(/^Not scored yet/) as unknown });
  });
});

describe('the stage timeline after a rollback', () => {
  it('shows the rollback’s write, newest first, and marks the write it undid', async () => {
    const { id } = await scoredContact(A, s.h.sandbox.data.contactIds());
    const before = parseCardData((await card(id)).body);
    if (!before.scored) throw new Error('expected a scored contact');
    const rollback = await run(A, `runs/${syncA}/rollback`);
    const after = parseCardData((await card(id)).body);
    if (!after.scored) throw new Error('expected a scored contact');
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.history[0]).toMatchObject({ run: `Rollback of ${syncA}`, from: before.history[0]?.to, to: before.history[0]?.from, rolledBack: false });
    expect(after.history[1]).toMatchObject({ ...before.history[0], rolledBack: true });
    expect(rollback).not.toBe(syncA);
  });
});

describe('requests HubSpot did not sign for this server', () => {
  const refused = async (o: CardCall, status: number, code: string) => {
    const contact = s.h.sandbox.data.contactIds()[0] ?? '';
    const r = await card(contact, o);
    expect(r.status, r.text).toBe(status);
    expect((r.body as { error: { code: string } }).error.code).toBe(code);
    expect(r.text).not.toMatch(/stage|churn|reason/i);
    return r;
  };

  it('are refused with 401 and nothing of any contact: no signature, another secret, a stale or future timestamp', async () => {
    await refused({ signature: null }, 401, 'BAD_SIGNATURE');
    await refused({ secret: 'another-app-secret-000000000000' }, 401, 'BAD_SIGNATURE');
    const stale = await refused({ timestamp: Date.now() - 6 * 60_000 }, 401, 'BAD_SIGNATURE');
    expect(stale.text).toMatch(/older than 5 minutes/);
    await refused({ timestamp: Date.now() + 60 * 60_000 }, 401, 'BAD_SIGNATURE');
  });

  it('are refused when signed over another address than the public URL, or when the query was changed after signing', async () => {
    await refused({ signedUrl: s.url }, 401, 'BAD_SIGNATURE');
    // A valid signature for portal A, replayed with portal B's id appended: the signed URI no longer matches.
    const contact = s.h.sandbox.data.contactIds()[0] ?? '';
    const path = `/hubspot/card/contacts/${contact}?userId=1&portalId=${portalA}&appId=1`;
    const timestamp = String(Date.now());
    const signature = signatureV3({ method: 'GET', uri: `${PUBLIC_URL}${path}`, body: '', timestamp }, SECRET);
    const r = await fetch(`${s.url}${path}&portalId=${PORTAL_B}`, { headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp } });
    expect(r.status).toBe(401);
  });

  it('a signed request for a portal no installation has gets a 404 naming no installation', async () => {
    const r = await refused({ portalId: '555' }, 404, 'UNKNOWN_PORTAL');
    expect(r.text).not.toContain(B);
    expect(r.text).not.toContain('Beta portal');
  });

  it('need the admin token nowhere, and the admin token is no substitute for a signature', async () => {
    const contact = s.h.sandbox.data.contactIds()[0] ?? '';
    const r = await s.api(`/hubspot/card/contacts/${contact}?portalId=${portalA}`);
    expect(r.status).toBe(401);
  });
});

describe('a service without the app’s client secret', () => {
  it('answers 503 NOT_CONFIGURED naming the variable, and nothing of any contact', async () => {
    const bare = await createServiceHarness({ dataset: { contacts: 5 }, serviceEnv: { PUBLIC_URL, HUBSPOT_CLIENT_SECRET: '' } });
    try {
      const path = `/hubspot/card/contacts/${bare.h.sandbox.data.contactIds()[0] ?? ''}?portalId=${bare.h.sandbox.portalId}`;
      const timestamp = String(Date.now());
      const r = await fetch(`${bare.url}${path}`, { headers: { 'x-hubspot-signature-v3': signatureV3({ method: 'GET', uri: `${PUBLIC_URL}${path}`, body: '', timestamp }, SECRET), 'x-hubspot-request-timestamp': timestamp } });
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NOT_CONFIGURED');
      expect(body.error.message).toContain('HUBSPOT_CLIENT_SECRET');
    } finally {
      await bare.close();
    }
  });
});
