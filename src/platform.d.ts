// `__BROWSER__` exists in the client's browser bundle only: scripts/platform-swaps.js declares it
// (with the module swaps), and scripts/build.js and test/support/parser-portable.js pass it to
// esbuild as a `define`, so that the minifier drops the branches only Node needs (fast paths of
// the Node byte layer, timer unref, debug logging) and the bundle keeps the general code, which
// gives the same results. Everywhere else (Node, the published files in any other bundler) it is
// not declared at run time, hence always tested as `typeof __BROWSER__ === 'undefined'` ("not in
// the browser bundle"), written out at each use: esbuild folds that expression, but does not
// inline a constant of a module that imports anything.
declare const __BROWSER__: true;
