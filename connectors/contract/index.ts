/**
 * The connector contract: the one place the program (src/) and the connectors meet. Connectors import
 * nothing from src/; src/ imports connectors only through this folder and the registry
 * (connectors/registry.ts). Lint rules keep it so (eslint.config.js).
 */
export * from './canonical.ts';
export * from './connector.ts';
export * from './definition.ts';
export * from './errors.ts';
export * from './excerpt.ts';
export * from './fields.ts';
export * from './host.ts';
export * from './redact.ts';
export * from './webhooks.ts';
export * from './signedRequests.ts';
