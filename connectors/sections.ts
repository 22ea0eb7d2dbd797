/**
 * The configuration's view of the registry: each connector's section name, label and settings schema,
 * without its code. Reading the configuration (every command, `classify` and `backtest` too) loads
 * this and the connectors' settings files only; connectors/registry.ts loads the connectors and adds
 * their sections here (a test's own connector's too), so the two lists never differ.
 */
import type { ConnectorSection, CrmName } from './contract/index.ts';
import { hubspotSection } from './hubspot/settings.ts';
import { salesforceSection } from './salesforce/settings.ts';

const sections = new Map<CrmName, ConnectorSection>();

/**
 * Adds a connector's section (the registry does, for each connector it registers). The same section
 * again is a no-op — the built-in connectors' are listed below and registered again with them — and
 * another one under a taken name an error.
 */
export function registerSection(section: ConnectorSection): void {
  const known = sections.get(section.name);
  if (known !== undefined && (known.settingsSchema !== section.settingsSchema || known.label !== section.label)) {
    throw new Error(`a connector named ${section.name} is already registered`);
  }
  sections.set(section.name, { name: section.name, label: section.label, settingsSchema: section.settingsSchema });
}

registerSection(hubspotSection);
registerSection(salesforceSection);

/** Every connector's section, in registration order. */
export function connectorSections(): ConnectorSection[] {
  return [...sections.values()];
}

export function connectorSection(name: CrmName): ConnectorSection | null {
  return sections.get(name) ?? null;
}

/** The registered names, for messages and option help: "hubspot or salesforce". */
export function connectorNames(): string {
  const names = [...sections.keys()];
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
