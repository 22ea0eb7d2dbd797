/** Reads a /metrics answer with a real parser of the exposition format: a sample's value by name and labels. */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  /** The answer as it came (the parser keeps no labels of histogram samples). */
  text: string;
  families: Map<string, PrometheusFamily>;
  /** The samples of the family whose labels include `labels`, as numbers with their labels. */
  samples(name: string, labels?: Record<string, string>): { labels: Record<string, string>; value: number }[];
  /** The one sample of the family with exactly these labels (undefined when absent). */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The values a label takes in the family, sorted. */
  labelValues(name: string, label: string): string[];
}

export function scrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const samples = (name: string, labels: Record<string, string> = {}) =>
    (families.get(name)?.metrics ?? [])
      .map((m) => ({ labels: m.labels ?? {}, value: Number(m.value ?? m.count) }))
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  return {
    text,
    families,
    samples,
    value(name, labels = {}) {
      const exact = samples(name, labels).filter((m) => Object.keys(m.labels).length === Object.keys(labels).length);
      if (exact.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${exact.length} samples`);
      return exact[0]?.value;
    },
    labelValues: (name, label) => [...new Set(samples(name).map((m) => m.labels[label]).filter((v): v is string => v !== undefined))].sort(),
  };
}
