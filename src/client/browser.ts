// Entry of the global (IIFE) browser bundle: the global `eio` is the factory itself, which
// carries `eio.Socket`, so both `eio('ws://host')` and `new eio.Socket('ws://host')` (the
// Engine.IO README's example) work. Assigned here rather than through esbuild's `globalName`,
// which would wrap the module in CommonJS-interop helpers (about 220 bytes gzipped).
import { eio } from './browser-core';

(globalThis as unknown as { eio: typeof eio }).eio = eio;
