/**
 * compose.yaml (docs/deploy.md) as Docker Compose reads it: PostgreSQL, a one-off migration, the server
 * and two workers, all on the same database and key, each command one the CLI has. (No Docker engine
 * here: the file is checked as YAML with Compose's merge keys, and the commands against the CLI.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { spawnCli } from './cliChild.ts';
import { ROOT } from './helpers.ts';

const service = z.object({
  image: z.string(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  deploy: z.object({ replicas: z.number() }).optional(),
  healthcheck: z.object({ disable: z.boolean().optional(), test: z.array(z.string()).optional() }).optional(),
});
const compose = z.object({ services: z.record(z.string(), service), volumes: z.record(z.string(), z.unknown()) });

describe('compose.yaml', () => {
  const file = compose.parse(parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }));
  const { db, migrate, server, worker } = file.services;

  it('runs PostgreSQL, a migration, the server and two workers on one database and one key', () => {
    expect(Object.keys(file.services).sort()).toEqual(['db', 'migrate', 'server', 'worker']);
    expect(db.image).toMatch(/^postgres:\d+/);
    expect(worker.deploy?.replicas).toBe(2);
    // Each worker answers /healthz on its metrics port.
    const command = worker.command ?? [];
    const metricsPort = command[command.indexOf('--metrics-port') + 1];
    expect(metricsPort).toMatch(/^\d+$/);
    expect(worker.healthcheck?.test?.join(' ')).toContain(`http://127.0.0.1:${metricsPort}/healthz`);
    for (const s of [migrate, server, worker]) {
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/lifecycle:\$\{POSTGRES_PASSWORD:\?[^}]+\}@db:5432\/lifecycle$/);
      expect(s.environment?.ENCRYPTION_KEY).toBe(migrate.environment?.ENCRYPTION_KEY);
    }
    expect(server.environment?.ADMIN_TOKEN).toMatch(/^\$\{ADMIN_TOKEN:\?/);
    expect(migrate.depends_on?.db.condition).toBe('service_healthy');
    for (const s of [server, worker]) expect(s.depends_on?.migrate.condition).toBe('service_completed_successfully');
  });

  it('starts commands the CLI has, with options it takes', async () => {
    for (const s of [migrate, server, worker]) {
      const [command, ...options] = s.command ?? [];
      const help = await spawnCli([command, '--help'], {});
      expect(help.code, help.stderr).toBe(0);
      for (const option of options.filter((o) => o.startsWith('--'))) expect(help.stdout).toContain(option);
    }
  });
});
