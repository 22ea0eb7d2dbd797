/** The Metadata API endpoint: SOAP 1.1 over POST, the session in the SessionHeader. */
import type { ApiRoute } from './api.ts';
import type { Core } from './core.ts';
import { MetadataService } from './metadata.ts';
import { readEnvelope } from './soapEnvelope.ts';
import { rawBody } from './http.ts';

export function metadataRoutes(core: Core): ApiRoute[] {
  const service = new MetadataService(core);
  return [
    {
      method: 'post',
      // jsforce posts to /services/Soap/m/{version}; Salesforce also accepts the org id after it.
      path: '/services/Soap/m/:version{/:orgId}',
      style: 'soap',
      kind: (req) => `metadata.${readEnvelope(rawBody(req))?.method ?? 'unknown'}`,
      minVersion: 30,
      handle: (ctx) => {
        const call = ctx.soap;
        if (call === undefined) throw new Error('no SOAP call');
        return service.call(call.method, call.args);
      },
    },
  ];
}
