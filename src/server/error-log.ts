/**
 * Logs unexpected errors (storage, SQL) once per kind: the first one with its stack, the same
 * kind again only as a count now and then. A failure that every request hits (a full disk, a
 * broken query) would otherwise write a stack per request and bury everything else in the log.
 */
export type ErrorLogger = (where: string, error: unknown) => void;

/** How many repeats of a kind pass between two count lines. */
const REPEAT_REPORT_EVERY = 1000;

export function errorLogger(log: (line: string) => void): ErrorLogger {
  const seen = new Map<string, number>();
  return (where, error) => {
    const kind = kindOf(error);
    const count = (seen.get(kind) ?? 0) + 1;
    // Bounded: a flood of distinct kinds is itself worth a line each, but not unbounded memory.
    if (seen.size < 1000 || seen.has(kind)) seen.set(kind, count);
    if (count === 1) log(`${where}: ${kind}: ${(error as Error)?.stack ?? String(error)}`);
    else if (count % REPEAT_REPORT_EVERY === 0) log(`${where}: ${kind}: ${count} times so far`);
  };
}

/** The error's class and code (SQLite's SQLITE_* codes), not its message: messages vary per call. */
function kindOf(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? `${error.name} ${code}` : error.name;
}
