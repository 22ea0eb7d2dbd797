/**
 * The worker thread a run executes on (see runJob.ts): its log lines go to the server's logger (which
 * masks secrets and writes them), its progress and end go back as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Writable } from 'node:stream';
import winston from 'winston';
import { executeRunJob, type RunJob, type RunMessage } from './runJob.ts';
import { withLogContextFormat } from '../log.ts';

const port = parentPort;
if (!port) throw new Error('runThread.ts runs as a worker thread');
const send = (message: RunMessage) => port.postMessage(message);

/** Each log entry as a message; the server's logger formats, redacts and writes it. */
const toParent = new winston.transports.Stream({
  stream: new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, done) {
      const { level, message, ...meta } = info;
      send({ type: 'log', level: String(level), message: String(message), meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown> });
      done();
    },
  }),
});
const job = workerData as RunJob;
const log = winston.createLogger({ level: job.logLevel, format: withLogContextFormat(), transports: [toParent] });
await executeRunJob(job, send, log);
