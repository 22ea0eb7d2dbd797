/**
 * HubSpot's one API for many portals, over sandboxes that are one portal each: the consent page
 * approves for the portal the test chose (as an admin picks an account on HubSpot's page), and every
 * later request goes to the portal its code, token or refresh token belongs to.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';

const tokenAnswer = z.object({ access_token: z.string(), refresh_token: z.string() });

export interface PortalChooser {
  readonly url: string;
  /** The sandbox whose consent page the next install reaches. */
  choose(sandboxUrl: string): void;
  /** A private app token and its portal. */
  knows(token: string, sandboxUrl: string): void;
  close(): Promise<void>;
}

export async function startPortalChooser(): Promise<PortalChooser> {
  let chosen = '';
  const owner = new Map<string, string>();
  const app = express();
  app.use(express.raw({ type: () => true }));
  app.use((req, res, next) => {
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    const form = new URLSearchParams(body && /urlencoded/.test(req.get('content-type') ?? '') ? body.toString() : '');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const key = form.get('code') ?? form.get('refresh_token') ?? bearer ?? /^\/oauth\/v1\/access-tokens\/([^/?]+)/.exec(req.path)?.[1];
    const target = req.path === '/oauth/authorize' ? chosen : owner.get(key ?? '');
    if (!target) return void res.status(401).json({ status: 'error', category: 'INVALID_AUTHENTICATION', message: 'no portal knows this credential' });
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = req.get(name);
      if (value !== undefined) headers[name] = value;
    }
    fetch(`${target}${req.originalUrl}`, { method: req.method, headers, body, redirect: 'manual' })
      .then(async (answer) => {
        const text = await answer.text();
        const location = answer.headers.get('location');
        const code = location ? new URL(location).searchParams.get('code') : null;
        if (code) owner.set(code, target);
        if (/^\/oauth\/v[13]\/token$/.test(req.path) && answer.ok) {
          const tokens = tokenAnswer.parse(JSON.parse(text));
          owner.set(tokens.access_token, target).set(tokens.refresh_token, target);
        }
        answer.headers.forEach((value, name) => {
          if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) res.setHeader(name, value);
        });
        res.status(answer.status).send(text);
      })
      .catch(next);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    choose: (sandboxUrl) => void (chosen = sandboxUrl),
    knows: (token, sandboxUrl) => void owner.set(token, sandboxUrl),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
