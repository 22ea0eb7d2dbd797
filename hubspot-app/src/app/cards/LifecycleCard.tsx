/**
 * The app card's entry point (lifecycle-card-hsmeta.json): on a contact or company record, its lifecycle
 * scores from the Lifecycle Sync service (a company's where the installation's customers are companies), asked for through `hubspot.fetch` (HubSpot proxies and signs
 * the request with the app's client secret; the service checks the signature and the portal).
 */
import React from 'react';
import { hubspot } from '@hubspot/ui-extensions';
import { LifecycleView } from './LifecycleView';
import { CARD_OBJECT_TYPES, SERVER_URL } from './server';

hubspot.extend<'crm.record.tab'>(({ context }) => (
  <LifecycleView objectId={context.crm.objectId} object={CARD_OBJECT_TYPES[context.crm.objectTypeId] ?? 'contacts'} fetcher={hubspot.fetch} serverUrl={SERVER_URL} />
));
