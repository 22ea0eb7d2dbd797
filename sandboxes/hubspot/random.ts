/** The seeded PRNG (mulberry32), shared with the other sandboxes: fault decisions must be reproducible. */
export { pick, seededRandom, type Random } from '../shared/seededRandom.ts';
