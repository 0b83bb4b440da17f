// `__BROWSER__` exists in the client's browser bundle only: scripts/platform-swaps.js declares it
// (with the module swaps), and scripts/build.js and test/support/parser-portable.js pass it to
// esbuild as a `define`. Everywhere else (Node, the published files in any other bundler) it is
// not declared at run time. Each file that needs it reads it once, as
// `const BROWSER = typeof __BROWSER__ !== 'undefined'`, and guards with `!BROWSER` what only Node
// needs (fast paths of the parser, timer unref, debug logging): in the bundle the constant is
// `true`, the minifiers (esbuild, then terser) drop those branches and the general code, which
// gives the same results, remains; in Node the test is a constant of the file (testing the
// undeclared global itself on every call measured several ns slower on the codec's hot paths).
declare const __BROWSER__: true;
