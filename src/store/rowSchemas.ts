/**
 * The shapes of what both stores keep as JSON (signals, CRM values, scores, run counts, credentials,
 * cursors), validated with zod when read back: a database outlives versions of the program and may be
 * edited by hand.
 */
import { z } from 'zod';
import { DEAL_OUTPUT_KEYS, FIELD_KEYS, type FieldValues } from '../../connectors/contract/index.ts';

// A strict object of optional keys, not a partial record of the same keys: the same values pass, and zod
// checks an object four times faster (both read passes of a nightly run parse every customer's values).
export const fieldValuesSchema: z.ZodType<FieldValues> = z.strictObject(Object.fromEntries(FIELD_KEYS.map((key) => [key, z.string().nullable().optional()])));
export const signalsSchema = z
  .object({
    openDeals: z.number().optional(),
    lastEngagementDay: z.number().nullable().optional(),
    nps: z.number().nullable().optional(),
    referrals: z.number().nullable().optional(),
    advocate: z.boolean().optional(),
    churnFlag: z.boolean().optional(),
    churnReason: z.string().nullable().optional(),
    createdDay: z.number().nullable().optional(),
    leadSource: z.string().nullable().optional(),
  })
  .strict();
export const scoresSchema = z.object({ asOf: z.string(), values: fieldValuesSchema, features: z.record(z.string(), z.unknown()) });
export const statsSchema = z
  .object({
    pulledCustomers: z.number(),
    pulledDeals: z.number(),
    classified: z.number(),
    changed: z.number(),
    changedFields: z.record(z.string(), z.number()),
    stageTransitions: z.record(z.string(), z.number()),
    written: z.number(),
    failed: z.number(),
    skippedRecords: z.number(),
    requests: z.number(),
    rateLimited: z.number(),
    retries: z.number(),
    // Added after the first release of the schema: absent in older rows.
    phaseMs: z.partialRecord(z.enum(['fields', 'pull', 'classify', 'write']), z.number()).default({}),
    dailyQuota: z.object({ limit: z.number(), remaining: z.number() }).strict().nullable().optional(),
    refused: z.number().optional(),
    deals: z
      .object({ pulled: z.number(), open: z.number(), closed: z.number(), changed: z.number(), written: z.number(), failed: z.number(), closedSincePull: z.number(), skipped: z.number() })
      .strict()
      .optional(),
  })
  .strict();
export const credentialsSchema = z.object({
  kind: z.enum(['oauth', 'access_token', 'jwt']),
  accessToken: z.string().optional(),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  extra: z.record(z.string(), z.string()).optional(),
});
/** An installation's account variables (`installations add`): names as in the environment, values as text. */
export const accountEnvSchema = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string());
export const cursorSchema = z.record(z.string(), z.unknown());
export const fieldKeySchema = z.enum(FIELD_KEYS);
/** An audit entry's field: a customer field or a deal output (store/types.ts AuditField). */
export const auditFieldSchema = z.enum([...FIELD_KEYS, ...DEAL_OUTPUT_KEYS]);
export const runKindSchema = z.enum(['sync', 'dry_run', 'rollback', 'rescore']);
export const runModeSchema = z.enum(['full', 'incremental']);
export const runStatusSchema = z.enum(['running', 'succeeded', 'failed', 'stopped', 'interrupted']);
export const installationStatusSchema = z.enum(['active', 'paused', 'uninstalled']);
/** An installation's settings overrides as stored: an object (config/installationSettings.ts checks its keys where it is used). */
export const installationSettingsSchema = z.record(z.string(), z.unknown());
export const errorPhaseSchema = z.enum(['pull', 'classify', 'write', 'rollback', 'setup']);
export const auditStateSchema = z.enum(['pending', 'applied', 'failed', 'superseded']);
export const dealStatusSchema = z.enum(['won', 'open', 'lost']);
export const customerIdsSchema = z.array(z.string());

/** Who a customer is (name, e-mail, company), as stored from the last pull. */
export const displaySchema = z.object({ name: z.string().optional(), email: z.string().optional(), company: z.string().optional() }).strict();

/** A stored display value as the customer's `display` (absent when null or not readable: it only labels). */
export function displayOf(value: unknown): { display?: z.infer<typeof displaySchema> } {
  if (value === null || value === undefined) return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return {};
    }
  }
  // The plan phase reads every customer's: the usual shape is checked by hand, zod decides the rest.
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    const out: z.infer<typeof displaySchema> = {};
    let fields = 0;
    for (const key of ['name', 'email', 'company'] as const) {
      const v = record[key];
      if (typeof v === 'string') {
        out[key] = v;
        fields++;
      }
    }
    if (fields === Object.keys(record).length) return { display: out };
  }
  const display = displaySchema.safeParse(parsed);
  return display.success ? { display: display.data } : {};
}
