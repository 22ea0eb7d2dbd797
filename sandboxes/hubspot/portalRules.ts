/**
 * The account's own validation rules that HubSpot applies to API writes from API version 2026-09
 * (changelog "Breaking Change: CRM API Write Validation Enforcement Starting with the 2026-09 API
 * Version"). Modelled: the conditionally required property — when a record's `when.property` holds one
 * of `when.values`, `required` must have a value (e.g. close_date once dealstage is closedwon). Required
 * fields of the create form and association permissions are not modelled (the connector creates no
 * records and no associations).
 */
import { z } from 'zod';
import type { ObjectType } from './schema.ts';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a property name');

export const portalRuleSchema = z
  .object({
    objectType: z.enum(['contacts', 'companies', 'deals'] as const satisfies readonly ObjectType[]),
    /** The property that must have a value… */
    required: name,
    /** …once this property holds one of these values. */
    when: z.object({ property: name, values: z.array(z.string()).min(1, 'must name at least one value') }).strict(),
    /** The admin's text shown for the rule; by default one naming the properties. */
    message: z.string().min(1).optional(),
  })
  .strict();
export type PortalRule = z.input<typeof portalRuleSchema>;

export interface RuleRefusal {
  property: string;
  message: string;
}

export class PortalRules {
  private rules: z.output<typeof portalRuleSchema>[] = [];

  /** Replaces the account's rules; a bad rule is refused with the field it is about. */
  set(rules: readonly PortalRule[]): void {
    const parsed = z.array(portalRuleSchema).safeParse(rules);
    if (!parsed.success) throw new Error(`validation rules: ${z.prettifyError(parsed.error)}`);
    this.rules = parsed.data;
  }

  /**
   * The rules a write breaks: checked on the record as it would be after the write, for the rules whose
   * properties the write touches (a write about other properties is not refused for an older breach:
   * UNCONFIRMED, HubSpot does not say).
   */
  check(type: ObjectType, after: Readonly<Record<string, string>>, written: readonly string[]): RuleRefusal[] {
    const touched = new Set(written);
    return this.rules
      .filter((r) => r.objectType === type && (touched.has(r.when.property) || touched.has(r.required)))
      .filter((r) => r.when.values.includes(after[r.when.property] ?? '') && !after[r.required])
      .map((r) => ({ property: r.required, message: r.message ?? `${r.required} is required when ${r.when.property} is ${after[r.when.property]}` }));
  }
}
