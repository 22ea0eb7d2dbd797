/**
 * Everything the CLI prints goes through here, and through the process's redactor (src/secrets.ts): a
 * run's message or a CRM's error can quote a token, and a terminal's output ends up in CI logs and
 * tickets. (Lint forbids writing to process.stdout/stderr elsewhere in src/cli.)
 */
import { redactJson, redactOutput } from '../secrets.ts';

export function print(text: string): void {
  process.stdout.write(redactOutput(text));
}

export function printError(text: string): void {
  process.stderr.write(redactOutput(text));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(redactJson(value), null, 2)}\n`);
}

/** A secret the user must see once, on purpose (the demo's generated admin token): not redacted. */
export function printSecretOnce(text: string): void {
  process.stdout.write(text);
}
