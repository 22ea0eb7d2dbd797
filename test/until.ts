/** Polls a check until it answers a value; past the deadline fails naming what was awaited, with what `context` adds (children's logs). */
export async function until<T>(what: string, check: () => Promise<T | null>, timeoutMs: number, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
