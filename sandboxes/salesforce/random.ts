/** The seeded PRNG shared with the HubSpot sandbox: fault decisions and datasets must be reproducible. */
export { pick, seededRandom, type Random } from '../shared/seededRandom.ts';
