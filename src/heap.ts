/**
 * V8 tuning for the sync's streamed runs. A run passes pages of rows through memory; V8's
 * allocation-site pretenuring sees those pages outlive a young-generation collection and starts
 * allocating them straight into the old generation, which then grows to several times the live set
 * before a full collection (a nightly run of 100,000 contacts peaked at 480 MB with it, 330 MB without;
 * docs/benchmarks.md). The flag is process-wide, so it covers the run threads too.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneHeapForStreaming(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
