/** A progress bar on a terminal (stderr), nothing otherwise. */
import { Writable } from 'node:stream';
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

export interface PhaseProgress {
  update(phase: string, done: number, total: number | null): void;
  stop(): void;
  /**
   * Where log lines go while the bars run: above the bar (cli-progress's log(), drawn with the next
   * frame), so a line never lands in the middle of the bar's line; straight to the stream otherwise.
   */
  readonly logStream: Writable;
}

/** One bar per phase of a run, replaced as the phase changes, with the total and an ETA once the total is known. */
export function phaseProgress(stream: NodeJS.WriteStream = process.stderr): PhaseProgress {
  let bars: cliProgress.MultiBar | null = null;
  let current: { phase: string; counted: boolean; bar: cliProgress.SingleBar } | null = null;
  const logStream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = String(chunk);
      if (bars) bars.log(text.endsWith('\n') ? text : `${text}\n`);
      else stream.write(text);
      done();
    },
  });
  if (!stream.isTTY) return { update() {}, stop() {}, logStream };
  const stop = () => {
    // A last frame first: it prints the lines logged since the previous one (stop alone drops them).
    bars?.update();
    bars?.stop();
    bars = null;
    current = null;
  };
  return {
    update(phase, done, total) {
      const counted = total !== null;
      if (current?.phase !== phase || current.counted !== counted) {
        stop();
        const format = counted
          ? `${phase.padEnd(8)} [{bar}] {percentage}% | {value}/{total} records | {duration_formatted} | ETA {eta_formatted}`
          : `${phase.padEnd(8)} {value} records | {duration_formatted}`;
        bars = new cliProgress.MultiBar({ format, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
        current = { phase, counted, bar: bars.create(total ?? 0, done) };
      }
      if (total !== null) current.bar.setTotal(total);
      current.bar.update(done);
    },
    stop,
    logStream,
  };
}

/** A stream for the CLI's log lines that can be pointed elsewhere for a while (a progress bar's logStream). */
export function routedStream(target: NodeJS.WritableStream = process.stderr): { stream: Writable; route(to: Writable | null): void } {
  let to: NodeJS.WritableStream = target;
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        to.write(chunk);
        done();
      },
    }),
    route(next) {
      to = next ?? target;
    },
  };
}
