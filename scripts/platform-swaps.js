'use strict';
// The platform swaps of the client's browser bundle, declared once: each module of src/ on the
// left is replaced by its browser twin on the right wherever the bundle would import it (same
// exports, no Node code), and DEFINES are the constants the bundle is built with. scripts/build.js
// bundles the client with `browserTwins()` and DEFINES, and test/support/parser-portable.js
// bundles the parser with both to test what the browser runs.
// Node, and any bundler that does not know these swaps, keep the files on the left (they work
// without Buffer too: binary.ts falls back to binary-portable.ts).
const path = require('node:path');

const src = path.join(__dirname, '..', 'src');

const SWAPS = {
  // No `debug` package: the calls are compiled out (guarded by `__BROWSER__`, see DEFINES).
  'client/debug.ts': 'client/debug-browser.ts',
  // The byte layer: atob/btoa and TextEncoder/TextDecoder instead of Buffer.
  'parser/binary.ts': 'parser/binary-portable.ts',
  // Protocol v3 written for size (the same wire format; v4 is the shared parser as it is).
  'parser/v3.ts': 'parser/v3-compact.ts',
};

/**
 * Build-time constants of the browser bundle (esbuild `define`s): `__BROWSER__` lets the shared
 * code drop what only Node needs (see src/platform.d.ts). Same results, fewer bytes.
 */
const DEFINES = { __BROWSER__: 'true' };

/** Absolute path of a swapped module (without extension) -> absolute path of its twin. */
const twins = new Map(
  Object.entries(SWAPS).map(([from, to]) => [path.join(src, from.replace(/\.ts$/, '')), path.join(src, to)]),
);

/** An esbuild plugin applying the swaps to relative imports (`./binary`, `../parser/v3`…). */
function browserTwins() {
  return {
    name: 'browser-twins',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const twin = twins.get(path.join(args.resolveDir, args.path).replace(/\.ts$/, ''));
        return twin === undefined ? undefined : { path: twin };
      });
    },
  };
}

module.exports = { SWAPS, DEFINES, browserTwins };
