/**
 * The `threads` option of an interpreter: checking it, resolving `"auto"` to the cores the
 * runtime reports, and whether this runtime can run threads at all (it needs shared memory).
 */

/** Most threads an interpreter may ask for. */
export const MAX_THREADS = 64;

/** The cores this runtime reports (`navigator.hardwareConcurrency`, or Node's `os`). */
export async function coreCount(): Promise<number> {
  const reported = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  if (reported) return reported;
  try {
    // A specifier built at run time, so that bundlers for the browser neither follow nor keep it.
    const specifier = ["node", "os"].join(":");
    const os = await import(specifier);
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/** Why threads cannot run here (no shared memory), or null when they can. */
export function threadsUnavailable(): string | null {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return "the page is not cross-origin isolated (COOP/COEP headers), so it has no shared memory";
  }
  if (typeof SharedArrayBuffer !== "function") {
    return "this runtime has no SharedArrayBuffer";
  }
  return null;
}

/** The threads an interpreter runs on. */
export interface InterpreterThreads {
  /** Threads asked for (`"auto"` resolved to the runtime's core count). */
  requested: number;
  /** Threads in use: the calling thread and `count - 1` workers. */
  count: number;
  /** Why fewer threads run than were asked for (no shared memory here), or null. */
  fallback: string | null;
}

/** The threads `option` asks for, checked: a whole number from 1 to `MAX_THREADS`, or `auto`. */
export async function requestedThreads(option: number | "auto" | undefined): Promise<number> {
  if (option === undefined) return 1;
  if (option === "auto") return Math.min(MAX_THREADS, await coreCount());
  if (
    typeof option !== "number" || !Number.isInteger(option) || option < 1 || option > MAX_THREADS
  ) {
    throw new RangeError(
      `threads must be a whole number from 1 to ${MAX_THREADS}, or "auto"; got ${
        typeof option === "string" ? JSON.stringify(option) : option
      }`,
    );
  }
  return option;
}
