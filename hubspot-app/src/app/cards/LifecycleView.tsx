/**
 * The card's content for one contact or company: asks the Lifecycle Sync service (through `fetcher`, which is
 * `hubspot.fetch` in HubSpot and a stand-in in tests) and shows, by state, a spinner, the error with a
 * retry, "not scored yet", or the scores: stage and reason, churn risk and band, predicted CLV and LTV,
 * value tier, expected purchases, next action, and the stage's history as a short timeline.
 */
import React, { useEffect, useState } from 'react';
import {
  Button,
  DescriptionList,
  DescriptionListItem,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  List,
  LoadingSpinner,
  Statistics,
  StatisticsItem,
  StatusTag,
  Text,
} from '@hubspot/ui-extensions';
import { CardDataError, parseCardData, type CardData, type CardStageChange, type ScoredCard } from './cardData';
import { cardUrl } from './server';

/** What the card needs of a response (a fetch Response has it). */
export interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/** `hubspot.fetch`'s shape, as far as the card uses it. */
export type Fetcher = (url: string, options?: { timeout?: number }) => Promise<FetchResponse>;

type State = { kind: 'loading' } | { kind: 'error'; title: string; message: string } | { kind: 'loaded'; data: CardData };

/** HubSpot gives a proxied request at most 15 s; the card gives up a little earlier and offers a retry. */
const TIMEOUT_MS = 10_000;

const STATUS_TITLES: Record<number, string> = {
  401: 'HubSpot’s request was refused',
  404: 'This account is not connected',
  503: 'Lifecycle Sync is not set up for this card',
};

/** The server's own words when it sent `{"error": {"message"}}`, else a sentence of ours. */
async function errorMessage(response: FetchResponse): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } } | null;
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return `the Lifecycle Sync service answered ${response.status}`;
}

async function load(fetcher: Fetcher, url: string): Promise<State> {
  let response: FetchResponse;
  try {
    response = await fetcher(url, { timeout: TIMEOUT_MS });
  } catch (error) {
    return { kind: 'error', title: 'Lifecycle Sync could not be reached', message: error instanceof Error ? error.message : String(error) };
  }
  if (!response.ok) return { kind: 'error', title: STATUS_TITLES[response.status] ?? 'Lifecycle Sync could not answer', message: await errorMessage(response) };
  try {
    return { kind: 'loaded', data: parseCardData(await response.json()) };
  } catch (error) {
    return { kind: 'error', title: 'Lifecycle Sync answered something unexpected', message: error instanceof CardDataError ? error.message : 'the answer was not JSON' };
  }
}

type TagVariant = 'danger' | 'warning' | 'info' | 'success' | 'default';

const STAGE_TAGS: Record<string, TagVariant> = {
  churned: 'danger',
  at_risk: 'warning',
  advocacy: 'success',
  loyalty: 'success',
  retention: 'info',
  purchase: 'info',
};
const BAND_TAGS: Record<string, TagVariant> = { high: 'danger', medium: 'warning', low: 'success' };

function Timeline({ history, word }: { history: CardStageChange[]; word: string }) {
  if (history.length === 0) return <Text variant="microcopy">{`No stage written to this ${word} yet.`}</Text>;
  return (
    <List variant="unordered-styled" testId="stage-history">
      {history.map((h, i) => (
        <Text key={`${h.at}-${i}`}>{`${h.when}: ${h.from} → ${h.to} (${h.run}${h.rolledBack ? ', rolled back' : ''})`}</Text>
      ))}
    </List>
  );
}

function Scores({ data }: { data: ScoredCard }) {
  const { stage, churnRisk, predictedClv, ltv, valueTier, expectedPurchases, conversionLikelihood } = data;
  return (
    <Flex direction="column" gap="sm">
      <Flex direction="row" gap="xs" align="center">
        <Text format={{ fontWeight: 'bold' }}>Stage</Text>
        {stage ? (
          <StatusTag variant={STAGE_TAGS[stage.value] ?? 'default'} testId="stage">
            {stage.label}
          </StatusTag>
        ) : (
          <Text>none</Text>
        )}
        {stage?.since ? <Text variant="microcopy">since {stage.since}</Text> : null}
      </Flex>
      {stage?.reason ? <Text testId="reason">{stage.reason}</Text> : null}
      <Statistics>
        <StatisticsItem label="Churn risk" number={churnRisk ? `${churnRisk.percent} %` : '–'} testId="churn-risk" />
        <StatisticsItem label={`Predicted CLV${predictedClv ? ` (${predictedClv.horizonMonths} months)` : ''}`} number={predictedClv?.text ?? '–'} testId="clv" />
        <StatisticsItem label="LTV to date" number={ltv?.text ?? '–'} testId="ltv" />
        <StatisticsItem label={`Expected purchases${expectedPurchases ? ` (${expectedPurchases.days} days)` : ''}`} number={expectedPurchases ? expectedPurchases.count : '–'} testId="expected-purchases" />
        {/* Prospects only: a buyer has none. */}
        {conversionLikelihood ? <StatisticsItem label={`Conversion likelihood (${conversionLikelihood.days} days)`} number={`${conversionLikelihood.percent} %`} testId="conversion-likelihood" /> : null}
      </Statistics>
      <DescriptionList direction="row">
        <DescriptionListItem label="Churn-risk band">
          {churnRisk?.band ? (
            <StatusTag variant={BAND_TAGS[churnRisk.band] ?? 'default'} testId="churn-band">
              {churnRisk.bandLabel ?? churnRisk.band}
            </StatusTag>
          ) : (
            <Text testId="churn-band-none">no purchase yet</Text>
          )}
        </DescriptionListItem>
        <DescriptionListItem label="Value tier">
          <Text testId="value-tier">{valueTier?.label ?? '–'}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Next action">
          <Text testId="next-action">{data.nextAction ?? '–'}</Text>
        </DescriptionListItem>
      </DescriptionList>
      <Divider />
      <Heading>Stage history</Heading>
      <Timeline history={data.history} word={data.object === 'companies' ? 'company' : 'contact'} />
      <Text variant="microcopy">Scored {data.scoredAt ? `on ${data.scoredAt} ` : ''}as of {data.asOf} by Lifecycle Sync.</Text>
    </Flex>
  );
}

export function LifecycleView({ objectId, object = 'contacts', fetcher, serverUrl }: { objectId: string | number; object?: 'contacts' | 'companies'; fetcher: Fetcher; serverUrl: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    void load(fetcher, cardUrl(serverUrl, objectId, object)).then((next) => {
      // A record changed (or a retry) while this was on its way: its answer is no longer wanted.
      if (current) setState(next);
    });
    return () => {
      current = false;
    };
  }, [objectId, object, fetcher, serverUrl, attempt]);

  switch (state.kind) {
    case 'loading':
      return <LoadingSpinner label="Loading the lifecycle scores" layout="centered" />;
    case 'error':
      return (
        <ErrorState title={state.title}>
          <Text>{state.message}</Text>
          <Button onClick={() => setAttempt((n) => n + 1)} testId="retry">
            Try again
          </Button>
        </ErrorState>
      );
    case 'loaded':
      return state.data.scored ? (
        <Scores data={state.data} />
      ) : (
        <EmptyState title={state.data.elsewhere ? 'Not scored here' : 'Not scored yet'} layout="vertical" imageName={state.data.object === 'companies' ? 'companies' : 'contacts'}>
          <Text>{state.data.message}</Text>
        </EmptyState>
      );
  }
}
