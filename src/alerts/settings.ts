/**
 * Alerts (config/default.yaml `alerts`): where they go (incoming webhooks, e-mail over SMTP), which run
 * outcomes raise one, and how a failing channel is retried. An installation may override the section
 * (its own recipients and thresholds). The SMTP password is never configuration: SMTP_PASSWORD.
 */
import { z } from 'zod';
import { STAGE_RULE_ORDER } from '../classifier/types.ts';

const share = z.number().min(0).max(1);

export const alertSettingsSchema = z
  .object({
    /** Off by default: nothing is sent until an admin turns alerts on and names a channel. */
    enabled: z.boolean(),
    /** Incoming-webhook URLs (Slack-compatible JSON: Slack, Mattermost, Rocket.Chat, Teams workflows). */
    webhooks: z.array(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    email: z
      .object({
        /** Recipients; none = no e-mail. */
        to: z.array(z.email()),
        from: z.email().nullable(),
        smtp: z
          .object({
            host: z.string().min(1).nullable(),
            port: z.number().int().min(1).max(65_535),
            /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
            secure: z.boolean(),
            /** The login; its password is SMTP_PASSWORD. null = no login. */
            user: z.string().min(1).nullable(),
          })
          .strict(),
      })
      .strict()
      .refine((e) => e.to.length === 0 || (e.smtp.host !== null && e.from !== null), { message: 'e-mail recipients need smtp.host and from' }),
    events: z
      .object({
        runFailed: z.boolean(),
        /** A run stopped because the plugin's share of the CRM's daily API allowance was spent. */
        quotaStopped: z.boolean(),
      })
      .strict(),
    thresholds: z
      .object({
        /** Alert when more than this share of the records a sync run wrote failed; null = off. */
        failedShare: share.nullable(),
        /** Alert when more than this share of the classified customers moved into `stageMoveTo` in one sync run; null = off. */
        stageMoveShare: share.nullable(),
        stageMoveTo: z.array(z.enum(STAGE_RULE_ORDER)).min(1),
        /** Alert once when an active installation has had no successful sync run for this many hours; null = off. */
        noSuccessHours: z.number().positive().max(24 * 365).nullable(),
      })
      .strict(),
    retry: z
      .object({
        /** Tries per channel and alert (the first included). */
        attempts: z.number().int().min(1).max(20),
        /** Delay before the second try; each next one doubles it, up to maxDelayMs. */
        baseDelayMs: z.number().int().min(0).max(600_000),
        maxDelayMs: z.number().int().min(0).max(3_600_000),
        /** One try's time limit (the webhook's answer, the SMTP conversation). */
        timeoutMs: z.number().int().min(100).max(300_000),
      })
      .strict(),
    /** How often the service and each worker look for installations without a recent success. */
    checkEveryMinutes: z.number().min(0.05).max(24 * 60),
  })
  .strict();

export type AlertSettings = z.infer<typeof alertSettingsSchema>;
