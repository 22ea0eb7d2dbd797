/** A progress bar on a terminal (stderr), nothing otherwise. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} MB`, stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return {
    update(done, total) {
      if (!started) {
        bar.start(mb(total), 0);
        started = true;
      }
      bar.update(mb(done));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** One bar per phase of a run, replaced as the phase changes; nothing when not on a terminal. */
export function phaseProgress(stream: NodeJS.WriteStream = process.stderr): { update(phase: string, done: number, total: number | null): void; stop(): void } {
  if (!stream.isTTY) return { update() {}, stop() {} };
  let current: { phase: string; bar: cliProgress.SingleBar } | null = null;
  const stop = () => {
    current?.bar.stop();
    current = null;
  };
  return {
    update(phase, done, total) {
      if (current?.phase !== phase) {
        stop();
        const format = total === null ? `${phase.padEnd(8)} {value} records` : `${phase.padEnd(8)} [{bar}] {percentage}% | {value}/{total}`;
        const bar = new cliProgress.SingleBar({ format, stream, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total ?? 0, done);
        current = { phase, bar };
      }
      if (total !== null) current.bar.setTotal(total);
      current.bar.update(done);
    },
    stop,
  };
}
