// Debug logging in Node (`DEBUG=engine:client*`). The browser bundle replaces this module with
// debug-browser.ts, whose `DEBUG = false` lets the minifier drop every logging call and string.
import createDebug from 'debug';

export const DEBUG = true;
export const debug = createDebug('engine:client');
