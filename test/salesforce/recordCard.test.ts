/**
 * The Salesforce record-page component in salesforce-app/ agrees with the connector: it asks for the
 * field API names the connector creates (prefix, stems, mapped fields), its labels are the fields', and
 * the read-only permission sets grant read, never edit, on exactly those fields, under names apart from
 * the read-and-edit permission set setup creates. How the card renders is tested by Jest
 * (`npm run test:lwc`, salesforce-app/force-app/main/default/lwc/lifecycleSyncCard/__tests__/).
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';
import { fieldApiNames, salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';

const APP = new URL('../../salesforce-app/', import.meta.url);
const config = loadConfig();
const settings = salesforceSettingsSchema.parse(config.connectors.salesforce);

type Names = (prefix: string, overrides: string) => { names: Record<string, string>; problems: string[] };
const cardModule = z.object({
  FIELD_LABELS: z.record(z.string(), z.string()),
  fieldApiNames: z.custom<Names>((v) => typeof v === 'function'),
  permissionSetFor: z.custom<(object: string) => { name: string; label: string }>((v) => typeof v === 'function'),
});
const loaded: unknown = await import(new URL('force-app/main/default/lwc/lifecycleSyncCard/card.js', APP).href);
const card = cardModule.parse(loaded);

const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['fieldPermissions', 'object', 'target', 'property'].includes(name) });
const read = (path: string): unknown => xml.parse(readFileSync(new URL(path, APP), 'utf8'));

const permissionSet = z.object({
  PermissionSet: z.object({
    label: z.string().max(80),
    description: z.string(),
    fieldPermissions: z.array(z.object({ field: z.string(), readable: z.boolean(), editable: z.boolean() })),
  }),
});

describe('the record-page component', () => {
  it("asks for the connector's field API names, with the default prefix, another prefix and mapped fields", () => {
    expect(card.fieldApiNames('LCS_', '')).toEqual({ names: fieldApiNames(settings), problems: [] });
    const mapped = { ...settings, fieldPrefix: 'Acme_', fieldNames: { stage: 'My_Stage__c', predictedClv: 'Clv__c' } };
    expect(card.fieldApiNames('Acme_', 'stage=My_Stage__c, predictedClv=Clv__c')).toEqual({ names: fieldApiNames(mapped), problems: [] });
  });

  it("labels each field as the field's own label begins", () => {
    const specs = fieldSpecs(config.classifier, config.sync);
    expect(Object.keys(card.FIELD_LABELS).sort()).toEqual([...FIELD_KEYS].sort());
    for (const spec of specs) expect(spec.label.startsWith(card.FIELD_LABELS[spec.key] ?? '?'), spec.key).toBe(true);
  });

  it('is offered on Contact and Account record pages, with a property for each setting it reads', () => {
    const meta = z
      .object({
        LightningComponentBundle: z.object({
          isExposed: z.literal(true),
          targets: z.object({ target: z.array(z.string()) }),
          targetConfigs: z.object({
            targetConfig: z.object({
              '@_targets': z.string(),
              property: z.array(z.object({ '@_name': z.string(), '@_type': z.literal('String') })),
              objects: z.object({ object: z.array(z.string()) }),
            }),
          }),
        }),
      })
      .parse(read('force-app/main/default/lwc/lifecycleSyncCard/lifecycleSyncCard.js-meta.xml')).LightningComponentBundle;
    expect(meta.targets.target).toEqual(['lightning__RecordPage']);
    expect(meta.targetConfigs.targetConfig['@_targets']).toBe('lightning__RecordPage');
    expect(meta.targetConfigs.targetConfig.objects.object.sort()).toEqual(['Account', 'Contact']);
    const source = readFileSync(new URL('force-app/main/default/lwc/lifecycleSyncCard/lifecycleSyncCard.js', APP), 'utf8');
    for (const p of meta.targetConfigs.targetConfig.property) expect(source).toMatch(new RegExp(`@api ${p['@_name']}\\b`));
  });

  for (const object of ['Contact', 'Account'] as const) {
    it(`grants read, never edit, on exactly the fields on ${object}, in a permission set of its own`, () => {
      const { name, label } = card.permissionSetFor(object);
      expect(name).not.toBe(settings.permissionSet.name);
      const set = permissionSet.parse(read(`access/${object.toLowerCase()}/permissionsets/${name}.permissionset-meta.xml`)).PermissionSet;
      expect(set.label).toBe(label);
      const names = fieldApiNames({ ...settings, customerObject: object });
      expect(set.fieldPermissions.map((f) => f.field).sort()).toEqual(Object.values(names).map((n) => `${object}.${n}`).sort());
      expect(set.fieldPermissions.every((f) => f.readable && !f.editable)).toBe(true);
    });
  }

  it('lists both permission-set folders as package directories of the SFDX project', () => {
    const project = z
      .object({ sourceApiVersion: z.string(), packageDirectories: z.array(z.object({ path: z.string(), default: z.boolean().optional() })) })
      .parse(JSON.parse(readFileSync(new URL('sfdx-project.json', APP), 'utf8')));
    expect(project.packageDirectories.map((d) => d.path)).toEqual(['force-app', 'access/contact', 'access/account']);
    expect(project.sourceApiVersion).toBe(settings.apiVersion);
  });
});
