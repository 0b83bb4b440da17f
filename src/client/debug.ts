// Debug logging in Node (`DEBUG=engine:client*`). The browser bundle replaces this module with
// debug-browser.ts, whose `DEBUG = false` lets the minifier drop every logging call and string.
// Internal (kept out of the published declarations, which would otherwise need @types/debug).
import createDebug from 'debug';

/** @internal */
export const DEBUG = true;
/** @internal */
export const debug = createDebug('engine:client');
