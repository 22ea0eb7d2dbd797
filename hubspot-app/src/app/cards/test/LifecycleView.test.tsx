/**
 * The card's component, rendered by the UI extensions SDK's own testing renderer
 * (`@hubspot/ui-extensions/testing`: HubSpot's components on a remote root, as in a record page). The
 * server is a stand-in for `hubspot.fetch` that answers what the real route answers (the shape is checked
 * by the same parser in test/server/hubspotCard.test.ts against the real server).
 */
import React from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Button, EmptyState, ErrorState, List, LoadingSpinner, StatisticsItem, StatusTag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import type { CardData } from '../cardData';
import { LifecycleView, type Fetcher, type FetchResponse } from '../LifecycleView';
import { SERVER_URL } from '../server';

const SCORED: CardData = {
  recordId: '1001',
  object: 'contacts',
  scored: true,
  stage: { value: 'loyalty', label: 'Loyalty', reason: '3 purchases, last 41 days ago; 86 % likely still active → loyalty', since: '2026-10-02' },
  churnRisk: { percent: 14, band: 'low', bandLabel: 'Low' },
  predictedClv: { amount: 1234.5, text: '$1,234.50', horizonMonths: 12 },
  ltv: { amount: 980, text: '$980' },
  valueTier: { value: 'top_20', label: 'Top 20 %' },
  expectedPurchases: { count: 0.7, days: 90 },
  conversionLikelihood: null,
  nextAction: 'Invite to the loyalty programme',
  scoredAt: '2026-11-19 02:00 UTC',
  asOf: '2026-11-19',
  history: [
    { at: '2026-11-19T02:00:00.000Z', when: '2026-11-19 02:00 UTC', from: 'Retention', to: 'Loyalty', run: 'Sync', rolledBack: false },
    { at: '2026-10-02T02:00:00.000Z', when: '2026-10-02 02:00 UTC', from: 'Purchase', to: 'Retention', run: 'Sync', rolledBack: true },
  ],
};

function json(status: number, body: unknown): FetchResponse {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A stand-in for hubspot.fetch: answers in turn, and remembers what it was asked. */
function server(...answers: (() => Promise<FetchResponse>)[]): Fetcher & { calls: { url: string; timeout: number | undefined }[] } {
  const calls: { url: string; timeout: number | undefined }[] = [];
  const fetcher = (url: string, options?: { timeout?: number }) => {
    calls.push({ url, timeout: options?.timeout });
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    return answer ? answer() : Promise.reject(new Error('no answer'));
  };
  return Object.assign(fetcher, { calls });
}

const ok = (body: unknown) => () => Promise.resolve(json(200, body));

function renderCard(fetcher: Fetcher, objectId: string | number = 1001, object: 'contacts' | 'companies' = 'contacts') {
  const renderer = createRenderer('crm.record.tab');
  renderer.render(<LifecycleView objectId={objectId} object={object} fetcher={fetcher} serverUrl={SERVER_URL} />);
  return renderer;
}

describe('the Lifecycle card', () => {
  it('shows a spinner while the service answers, and asks for this contact at the service’s address', async () => {
    const fetcher = server(() => new Promise<FetchResponse>(() => {}));
    const r = renderCard(fetcher, 2002);
    expect(r.find(LoadingSpinner).props.label).toMatch(/Loading/);
    // The request leaves from an effect, which changes nothing on screen: polled rather than the renderer's waitFor.
    await vi.waitFor(() => expect(fetcher.calls).toEqual([{ url: `${SERVER_URL}/hubspot/card/contacts/2002`, timeout: 10_000 }]));
    expect(r.find(LoadingSpinner).props.label).toMatch(/Loading/);
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('shows the stage with its reason, churn risk and band, CLV, LTV, value tier, expected purchases and next action', async () => {
    const r = renderCard(server(ok(SCORED)));
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(r.maybeFind(LoadingSpinner)).toBeNull();
    expect(r.findByTestId(StatusTag, 'stage').text).toBe('Loyalty');
    expect(r.findByTestId(StatusTag, 'stage').props.variant).toBe('success');
    expect(r.findByTestId(Text, 'reason').text).toBe(SCORED.scored ? SCORED.stage?.reason : '');
    expect(r.findByTestId(StatisticsItem, 'churn-risk').props).toMatchObject({ label: 'Churn risk', number: '14 %' });
    expect(r.findByTestId(StatusTag, 'churn-band').text).toBe('Low');
    expect(r.findByTestId(StatusTag, 'churn-band').props.variant).toBe('success');
    expect(r.findByTestId(StatisticsItem, 'clv').props).toMatchObject({ label: 'Predicted CLV (12 months)', number: '$1,234.50' });
    expect(r.findByTestId(StatisticsItem, 'ltv').props).toMatchObject({ label: 'LTV to date', number: '$980' });
    expect(r.findByTestId(StatisticsItem, 'expected-purchases').props).toMatchObject({ label: 'Expected purchases (90 days)', number: 0.7 });
    // A buyer has no conversion likelihood: no such figure.
    expect(r.maybeFindByTestId(StatisticsItem, 'conversion-likelihood')).toBeNull();
    expect(r.findByTestId(Text, 'value-tier').text).toBe('Top 20 %');
    expect(r.findByTestId(Text, 'next-action').text).toBe('Invite to the loyalty programme');
    expect(r.maybeFind(ErrorState)).toBeNull();
    expect(r.find(Text, (t) => (t.text ?? '').startsWith('Scored on')).text).toBe('Scored on 2026-11-19 02:00 UTC as of 2026-11-19 by Lifecycle Sync.');
  });

  it('shows the stage history as a timeline, newest first, rolled-back writes marked', async () => {
    const r = renderCard(server(ok(SCORED)));
    await r.waitFor(() => expect(r.maybeFind(List)).not.toBeNull());
    const items = r.findByTestId(List, 'stage-history').findAllChildren(Text);
    expect(items.map((i) => i.text)).toEqual(['2026-11-19 02:00 UTC: Retention → Loyalty (Sync)', '2026-10-02 02:00 UTC: Purchase → Retention (Sync, rolled back)']);
  });

  it('says so when no stage was written yet, and marks a high churn risk as danger', async () => {
    const data = { ...SCORED, history: [], stage: { value: 'at_risk', label: 'At risk', reason: null, since: null }, churnRisk: { percent: 71, band: 'high', bandLabel: 'High' } };
    const r = renderCard(server(ok(data)));
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(r.maybeFind(List)).toBeNull();
    expect(r.find(Text, (t) => t.text === 'No stage written to this contact yet.')).toBeTruthy();
    expect(r.findByTestId(StatusTag, 'stage').props.variant).toBe('warning');
    expect(r.findByTestId(StatusTag, 'churn-band').props.variant).toBe('danger');
  });

  it('shows a prospect without a purchase: no churn risk, CLV or expected purchases, but its stage, conversion likelihood and next action', async () => {
    const data = { ...SCORED, stage: { value: 'consideration', label: 'Consideration', reason: 'no purchase; an open deal → consideration', since: null }, churnRisk: null, predictedClv: null, ltv: { amount: 0, text: '$0' }, valueTier: null, expectedPurchases: null, conversionLikelihood: { percent: 37, days: 90 }, nextAction: 'Qualify the open deal (MEDDIC)' };
    const r = renderCard(server(ok(data)));
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(r.findByTestId(StatusTag, 'stage').text).toBe('Consideration');
    expect(r.findByTestId(StatisticsItem, 'churn-risk').props.number).toBe('–');
    expect(r.findByTestId(Text, 'churn-band-none').text).toBe('no purchase yet');
    expect(r.findByTestId(StatisticsItem, 'clv').props).toMatchObject({ label: 'Predicted CLV', number: '–' });
    expect(r.findByTestId(StatisticsItem, 'expected-purchases').props).toMatchObject({ label: 'Expected purchases', number: '–' });
    expect(r.findByTestId(StatisticsItem, 'conversion-likelihood').props).toMatchObject({ label: 'Conversion likelihood (90 days)', number: '37 %' });
    expect(r.findByTestId(Text, 'value-tier').text).toBe('–');
    expect(r.findByTestId(Text, 'next-action').text).toBe('Qualify the open deal (MEDDIC)');
  });

  it('shows "not scored yet" with the service’s sentence', async () => {
    const r = renderCard(server(ok({ recordId: '1001', object: 'contacts', scored: false, elsewhere: false, message: 'Not scored yet: the next sync scores this contact.' })));
    await r.waitFor(() => expect(r.maybeFind(EmptyState)).not.toBeNull());
    expect(r.find(EmptyState).props.title).toBe('Not scored yet');
    expect(r.find(EmptyState).find(Text).text).toBe('Not scored yet: the next sync scores this contact.');
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('on a company record, asks for the company and shows its scores, its timeline naming the company', async () => {
    const fetcher = server(ok({ ...SCORED, recordId: '7007', object: 'companies', history: [] }));
    const r = renderCard(fetcher, 7007, 'companies');
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(fetcher.calls).toEqual([{ url: `${SERVER_URL}/hubspot/card/companies/7007`, timeout: 10_000 }]);
    expect(r.findByTestId(StatusTag, 'stage').text).toBe('Loyalty');
    expect(r.find(Text, (t) => t.text === 'No stage written to this company yet.')).toBeTruthy();
  });

  it('on a company record of an installation that scores contacts, says “not scored here” with the service’s sentence', async () => {
    const message = 'Not scored here: Lifecycle Sync scores contact records in this account, not company records; see the company\'s contacts.';
    const r = renderCard(server(ok({ recordId: '7007', object: 'companies', scored: false, elsewhere: true, message })), 7007, 'companies');
    await r.waitFor(() => expect(r.maybeFind(EmptyState)).not.toBeNull());
    expect(r.find(EmptyState).props).toMatchObject({ title: 'Not scored here', imageName: 'companies' });
    expect(r.find(EmptyState).find(Text).text).toBe(message);
    expect(r.maybeFind(StatisticsItem)).toBeNull();
  });

  it('shows the service’s error (an unknown portal), and scores after “Try again” succeeds', async () => {
    const fetcher = server(() => Promise.resolve(json(404, { error: { code: 'UNKNOWN_PORTAL', message: 'this HubSpot account is not connected to Lifecycle Sync' } })), ok(SCORED));
    const r = renderCard(fetcher);
    await r.waitFor(() => expect(r.maybeFind(ErrorState)).not.toBeNull());
    expect(r.find(ErrorState).props.title).toBe('This account is not connected');
    expect(r.find(ErrorState).find(Text).text).toBe('this HubSpot account is not connected to Lifecycle Sync');
    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.maybeFind(StatisticsItem)).not.toBeNull());
    expect(fetcher.calls).toHaveLength(2);
    expect(r.maybeFind(ErrorState)).toBeNull();
  });

  it('shows an error, never a half-drawn card, when the service cannot be reached or answers something else', async () => {
    const unreachable = renderCard(server(() => Promise.reject(new Error('request timed out'))));
    await unreachable.waitFor(() => expect(unreachable.maybeFind(ErrorState)).not.toBeNull());
    expect(unreachable.find(ErrorState).props.title).toBe('Lifecycle Sync could not be reached');
    expect(unreachable.find(ErrorState).find(Text).text).toBe('request timed out');

    const malformed = renderCard(server(ok({ ...SCORED, churnRisk: { percent: '14' } })));
    await malformed.waitFor(() => expect(malformed.maybeFind(ErrorState)).not.toBeNull());
    expect(malformed.find(ErrorState).find(Text).text).toMatch(/churnRisk\.percent/);
    expect(malformed.maybeFind(StatisticsItem)).toBeNull();

    const refused = renderCard(server(() => Promise.resolve(new Response('<html>bad gateway</html>', { status: 502 }))));
    await refused.waitFor(() => expect(refused.maybeFind(ErrorState)).not.toBeNull());
    expect(refused.find(ErrorState).find(Text).text).toBe('the Lifecycle Sync service answered 502');
  });
});
