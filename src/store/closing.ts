/**
 * What the end of a command closes: the database connections and the files held open
 * for reads in parts that its stores opened. Apart from open.ts, which imports every
 * backend, so that a command that opens no store (the fast `generate`) evaluates none
 * of their code at start-up.
 */

/** The closers registered since the last {@link closeOpenStores}; a Set, so registering one twice closes it once. */
const closers = new Set<() => void | Promise<void>>();

/** Has `close` run at the end of the command. */
export function closeAtEnd(close: () => void | Promise<void>): void {
  closers.add(close);
}

/** Closes what the command's stores opened: at the end of a command, which may run in a long-lived process. */
export async function closeOpenStores(): Promise<void> {
  const all = [...closers];
  closers.clear();
  await Promise.all(all.map((close) => close()));
}
