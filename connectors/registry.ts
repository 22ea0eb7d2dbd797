/**
 * The registry: every connector the program knows, by name. The program never names a CRM — it asks
 * here (config sections, `--crm`, credentials in the environment, connecting, OAuth installs, field
 * names). A new CRM is a folder under connectors/ with a ConnectorDefinition, and one line below;
 * docs/connectors.md says how. Tests register connectors of their own through `register`.
 */
import type { ConnectorDefinition, CrmName } from './contract/index.ts';
import { hubspotDefinition } from './hubspot/definition.ts';
import { salesforceDefinition } from './salesforce/definition.ts';
import { registerSection } from './sections.ts';

// The names are the configuration's sections (connectors/sections.ts, which reading it loads alone).
export { connectorNames } from './sections.ts';

const definitions = new Map<CrmName, ConnectorDefinition>();

/** Adds a connector (the built-in ones below; a test's own). A name can be registered once. */
export function register(definition: ConnectorDefinition): void {
  if (!/^[a-z][a-z0-9_]*$/.test(definition.name)) throw new Error(`connector name ${definition.name} must be lowercase letters, digits and underscores`);
  if (definitions.has(definition.name)) throw new Error(`a connector named ${definition.name} is already registered`);
  registerSection(definition);
  definitions.set(definition.name, definition);
}

register(hubspotDefinition);
register(salesforceDefinition);

/** Every registered connector, in registration order. */
export function connectorDefinitions(): ConnectorDefinition[] {
  return [...definitions.values()];
}

export function connectorDefinition(name: CrmName): ConnectorDefinition | null {
  return definitions.get(name) ?? null;
}
