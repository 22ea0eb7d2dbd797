/**
 * SOAP 1.1 envelopes for the Metadata API: reading the session and the call out of a request, and
 * writing responses and faults in the shapes jsforce's SOAP client parses.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { z } from 'zod';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Everything stays text: field lengths and flags are typed by the metadata schema, not guessed here.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'metadata' || name === 'fullNames' || name === 'value' || name === 'fullName_list',
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, suppressBooleanAttributes: false });

export type XmlNode = string | { [key: string]: XmlValue };
export type XmlValue = XmlNode | XmlNode[] | undefined;

const envelope = z.object({
  Envelope: z.object({
    Header: z.record(z.string(), z.unknown()).optional(),
    Body: z.record(z.string(), z.unknown()),
  }),
});

const sessionHeader = z.object({ SessionHeader: z.object({ sessionId: z.string() }) });

export interface SoapCall {
  sessionId: string | undefined;
  /** The operation (first element of the body), e.g. createMetadata. */
  method: string;
  args: Record<string, unknown>;
}

/** The call in a request body, or undefined when it is not a SOAP envelope. */
export function readEnvelope(xml: string): SoapCall | undefined {
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch {
    return undefined;
  }
  const env = envelope.safeParse(parsed);
  if (!env.success) return undefined;
  const entries = Object.entries(env.data.Envelope.Body).filter(([k]) => !k.startsWith('@_'));
  if (entries.length === 0) return undefined;
  const [method, args] = entries[0];
  const header = sessionHeader.safeParse(env.data.Envelope.Header ?? {});
  return {
    sessionId: header.success ? header.data.SessionHeader.sessionId : undefined,
    method,
    args: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {},
  };
}

const ENVELOPE_ATTRS = {
  '@_xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/',
  '@_xmlns': 'http://soap.sforce.com/2006/04/metadata',
  '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  '@_xmlns:sf': 'urn:fault.soap.sforce.com',
};

function wrap(body: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ 'soapenv:Envelope': { ...ENVELOPE_ATTRS, 'soapenv:Body': body } })}`;
}

/** `<methodResponse><result>…</result>…</methodResponse>`. */
export function soapResponse(method: string, results: unknown[]): string {
  return wrap({ [`${method}Response`]: { result: results } });
}

/** A SOAP fault (HTTP 500): `sf:CODE` and "CODE: message", as Salesforce writes them. */
export function soapFault(code: string, message: string): string {
  return wrap({ 'soapenv:Fault': { faultcode: `sf:${code}`, faultstring: `${code}: ${message}` } });
}
