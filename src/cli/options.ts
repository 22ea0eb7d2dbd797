/** Parsers for command-line option values, with messages that name the flag. */
import { InvalidArgumentError } from 'commander';
import { quoted } from '../../connectors/contract/index.ts';
import { parseIsoDate } from '../io/dates.ts';

export function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number (got ${quoted(value)})`);
    return n;
  };
}

export function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive whole number (got ${quoted(value)})`);
    return n;
  };
}

export function rate(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${flag} must be a number between 0 and 1 (got ${quoted(value)})`);
    return n;
  };
}

export function isoDay(flag: string) {
  return (value: string): number => {
    const day = parseIsoDate(value);
    if (day === null) throw new InvalidArgumentError(`${flag} must be a date as YYYY-MM-DD (got ${quoted(value)})`);
    return day;
  };
}

export function port(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${flag} must be a port number from 0 to 65535 (got ${quoted(value)})`);
    return n;
  };
}
