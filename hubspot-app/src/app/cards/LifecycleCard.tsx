/**
 * The app card's entry point (lifecycle-card-hsmeta.json): on a contact record, the contact's lifecycle
 * scores from the Lifecycle Sync service, asked for through `hubspot.fetch` (HubSpot proxies and signs
 * the request with the app's client secret; the service checks the signature and the portal).
 */
import React from 'react';
import { hubspot } from '@hubspot/ui-extensions';
import { LifecycleView } from './LifecycleView';
import { SERVER_URL } from './server';

hubspot.extend<'crm.record.tab'>(({ context }) => <LifecycleView objectId={context.crm.objectId} fetcher={hubspot.fetch} serverUrl={SERVER_URL} />);
