/**
 * HubSpot-shaped error bodies. Every error a route produces is a HubSpotError, turned into JSON by the
 * request pipeline (which adds the correlation id it also sends as a header).
 */

/** The account id a sandbox has unless told otherwise (HubSpot echoes it as `portalId`). */
export const DEFAULT_PORTAL_ID = 48151623;

export class HubSpotError extends Error {
  readonly status: number;
  readonly category: string;
  /** Extra top-level fields (errors, context, links, subCategory). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, category: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HubSpotError';
    this.status = status;
    this.category = category;
    this.extra = extra;
  }

  body(correlationId: string): Record<string, unknown> {
    // Key order as in HubSpot's responses: status, message, correlationId, then the rest, category last.
    return { status: 'error', message: this.message, correlationId, ...this.extra, category: this.category };
  }
}

export function badRequest(message: string, extra: Record<string, unknown> = {}): HubSpotError {
  return new HubSpotError(400, 'VALIDATION_ERROR', message, extra);
}

export function notFound(message: string, extra: Record<string, unknown> = {}): HubSpotError {
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', message, extra);
}

/** One invalid property value, in the shape HubSpot embeds in "Property values were not valid". */
export interface ValueIssue {
  name: string;
  error: string;
  message: string;
  propertyValue?: string;
}

/**
 * The whole-request 400 for invalid property values: the message embeds a JSON array of per-value
 * results and `errors[]` repeats them with `code` and `context.propertyName`.
 */
export function invalidValues(issues: readonly ValueIssue[], portalId: number): HubSpotError {
  const results = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
    ...(i.propertyValue === undefined ? {} : { propertyValue: i.propertyValue }),
    portalId,
  }));
  return badRequest(`Property values were not valid: ${JSON.stringify(results)}`, {
    errors: issues.map((i) => ({ message: i.message, code: i.error, context: { propertyName: [i.name] } })),
  });
}

/**
 * The whole-request 400 when the account's validation rules refuse records of a 2026-09 write: HubSpot
 * documents a 400 with category VALIDATION_ERROR; the rest of the body is not documented (UNCONFIRMED).
 * The sandbox names each refused record in `errors[].context.ids`, with the rule's text and the property
 * it requires, so a client can resend the others.
 */
export function ruleRefusals(refusals: readonly { id: string; property: string; message: string }[], portalId: number): HubSpotError {
  const ids = [...new Set(refusals.map((r) => r.id))];
  return badRequest(`${ids.length} record(s) did not pass the validation rules of portal ${portalId}: [${ids.join(', ')}]`, {
    errors: refusals.map((r) => ({ message: r.message, code: 'REQUIRED_PROPERTY', context: { ids: [r.id], propertyName: [r.property] } })),
  });
}

export const INVALID_AUTHENTICATION_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export type RatePolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';

const RATE_MESSAGES: Record<RatePolicy, string> = {
  // The ten-secondly text is not documented; the SDK only looks at policyName.
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
  // The SDK's retry decorator matches this exact text for the search limit.
  SECONDLY: 'You have reached your secondly limit.',
};

/** 429 bodies carry errorType and policyName instead of category. */
export function rateLimitBody(policy: RatePolicy, correlationId: string): Record<string, unknown> {
  return {
    status: 'error',
    message: RATE_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: policy,
    requestId: crypto.randomUUID(),
  };
}

const SERVER_ERROR_MESSAGES: Record<number, string> = {
  500: 'internal error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function serverErrorBody(status: number, correlationId: string): Record<string, unknown> {
  return { status: 'error', message: SERVER_ERROR_MESSAGES[status] ?? 'internal error', correlationId, category: 'INTERNAL_ERROR' };
}
