// Debug logging in Node (`DEBUG=engine:client*`). The browser bundle replaces this module with
// debug-browser.ts, and each call is guarded by `!BROWSER` (see src/platform.d.ts) so that the
// minifier drops every logging call and string from the bundle.
// Internal (kept out of the published declarations, which would otherwise need @types/debug).
import createDebug from 'debug';

/** @internal */
export const debug = createDebug('engine:client');
