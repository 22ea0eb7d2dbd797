/** The admin server's settings (config/default.yaml `server`; PORT and PUBLIC_URL override). */
import { z } from 'zod';

export const serverSettingsSchema = z
  .object({
    /** Port of the admin page and API (PORT overrides; 0 picks a free one). */
    port: z.number().int().min(0).max(65535),
    /** Interface to listen on (HOST overrides): 127.0.0.1 by default, 0.0.0.0 in a container. */
    host: z.string().min(1),
    /**
     * The address browsers reach the server at, for OAuth redirect URIs (PUBLIC_URL overrides);
     * null = http://localhost:PORT.
     */
    publicUrl: z.string().url('must be a URL such as https://lifecycle.example.com').nullable(),
  })
  .strict();

export type ServerSettings = z.infer<typeof serverSettingsSchema>;
