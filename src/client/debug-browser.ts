// Stand-in for debug.ts in the browser bundle: no `debug` package. The logging calls themselves
// are guarded by `!BROWSER` (src/platform.d.ts), so the minifier removes them, strings and all;
// this stub only keeps the import satisfied.
export const debug: ((...args: unknown[]) => void) & { enabled?: boolean } = () => {};
