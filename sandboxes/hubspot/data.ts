/** Direct access to the records, bypassing HTTP, auth and limits: seeding and test assertions. */
import type { Core } from './core.ts';
import { iso } from './http.ts';
import { SINGULAR } from './associations.ts';
import type { PropertyCreate } from './properties.ts';
import type { ObjectType } from './schema.ts';
import type { Snap } from './store.ts';

export interface SandboxRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface SandboxPropertyInfo {
  name: string;
  type: string;
  fieldType: string;
  groupName: string;
  options?: { label: string; value: string }[];
}

export interface SandboxData {
  now(): number;
  createContact(properties: Record<string, string>): string;
  updateContact(id: string, properties: Record<string, string>): void;
  createCompany(properties: Record<string, string>): string;
  updateCompany(id: string, properties: Record<string, string>): void;
  /** A deal, associated with these contacts and (default associations, deal→company 341) these companies. */
  createDeal(properties: Record<string, string>, contactIds?: string[], companyIds?: string[]): string;
  updateDeal(id: string, properties: Record<string, string>): void;
  associate(dealId: string, contactId: string): void;
  associateCompany(dealId: string, companyId: string): void;
  getContact(id: string): SandboxRecord | undefined;
  getCompany(id: string): SandboxRecord | undefined;
  getDeal(id: string): SandboxRecord | undefined;
  contactIds(): string[];
  companyIds(): string[];
  dealIds(): string[];
  dealIdsOf(contactId: string): string[];
  dealIdsOfCompany(companyId: string): string[];
  /** The contacts and the companies a deal is associated with. */
  dealContactIds(dealId: string): string[];
  dealCompanyIds(dealId: string): string[];
  /** A property, as POST /crm/v3/properties/{type} would create it (an admin's own fields). */
  createProperty(objectType: ObjectType, input: PropertyCreate): void;
  getProperty(objectType: ObjectType, name: string): SandboxPropertyInfo | undefined;
}

function record(snap: Snap | undefined): SandboxRecord | undefined {
  if (snap === undefined) return undefined;
  return { id: snap.id, properties: { ...snap.props }, createdAt: iso(snap.createdAt), updatedAt: iso(snap.updatedAt), archived: snap.archived };
}

export function createSandboxData(core: Core): SandboxData {
  const { store, writer, registry } = core;
  const live = (type: ObjectType, id: string): Snap => {
    const snap = store.table(type).get(id);
    if (snap === undefined || snap.archived) throw new Error(`no ${SINGULAR[type]} with id ${id}`);
    return snap;
  };
  const update = (type: ObjectType, id: string, properties: Record<string, string>): void => {
    const snap = live(type, id);
    writer.update(type, snap, writer.checkOrThrow(type, properties, snap));
  };
  return {
    now: () => core.clock(),
    createContact: (properties) => writer.create('contacts', writer.checkOrThrow('contacts', properties)).id,
    updateContact: (id, properties) => update('contacts', id, properties),
    createCompany: (properties) => writer.create('companies', writer.checkOrThrow('companies', properties)).id,
    updateCompany: (id, properties) => update('companies', id, properties),
    createDeal: (properties, contactIds = [], companyIds = []) => {
      for (const c of contactIds) live('contacts', c);
      for (const c of companyIds) live('companies', c);
      const deal = writer.create('deals', writer.checkOrThrow('deals', properties));
      for (const c of contactIds) store.associations.add(c, deal.id);
      for (const c of companyIds) store.companyDeals.add(c, deal.id);
      return deal.id;
    },
    updateDeal: (id, properties) => update('deals', id, properties),
    associate: (dealId, contactId) => {
      live('deals', dealId);
      live('contacts', contactId);
      store.associations.add(contactId, dealId);
    },
    associateCompany: (dealId, companyId) => {
      live('deals', dealId);
      live('companies', companyId);
      store.companyDeals.add(companyId, dealId);
    },
    getContact: (id) => record(store.contacts.get(id)),
    getCompany: (id) => record(store.companies.get(id)),
    getDeal: (id) => record(store.deals.get(id)),
    contactIds: () => store.contacts.ids(),
    companyIds: () => store.companies.ids(),
    dealIds: () => store.deals.ids(),
    dealIdsOf: (contactId) => [...store.associated('contacts', contactId)],
    dealIdsOfCompany: (companyId) => [...store.associated('companies', companyId, 'deals')],
    dealContactIds: (dealId) => [...store.associated('deals', dealId, 'contacts')],
    dealCompanyIds: (dealId) => [...store.associated('deals', dealId, 'companies')],
    createProperty: (objectType, input) => {
      registry.create(objectType, input);
    },
    getProperty: (objectType, name) => {
      const p = registry.get(objectType, name);
      if (p === undefined) return undefined;
      return {
        name: p.name,
        type: p.type,
        fieldType: p.fieldType,
        groupName: p.groupName,
        ...(p.type === 'enumeration' || p.type === 'bool' ? { options: p.options.map((o) => ({ label: o.label, value: o.value })) } : {}),
      };
    },
  };
}
