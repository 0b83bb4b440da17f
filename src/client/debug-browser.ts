// Stand-in for debug.ts in the browser bundle: no `debug` package, and `DEBUG = false` so the
// minifier removes the guarded logging calls (`if (DEBUG && debug.enabled) ...`) entirely.
export const DEBUG = false;
export const debug: ((...args: unknown[]) => void) & { enabled?: boolean } = () => {};
