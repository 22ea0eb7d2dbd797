/** Whether two paths name the same file: any spelling, a symbolic link or a hard link (same device and inode). */
import { statSync } from 'node:fs';

export function sameFile(a: string, b: string): boolean {
  const sa = statSync(a, { throwIfNoEntry: false });
  const sb = statSync(b, { throwIfNoEntry: false });
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}
