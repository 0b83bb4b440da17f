#!/usr/bin/env node
'use strict';
// Builds the package: src/**/*.ts -> dist/cjs (CommonJS + .d.ts), then ESM wrappers in
// dist/esm that re-export the CommonJS modules (one copy of each module in memory, so
// `import` and `require()` users share the same classes), then the browser bundles.
//
// `BUILD_FAST=1` transpiles with esbuild only (no type check, no declarations): for the
// quick edit-test loop. The default (used by `npm test`, `npm run bench`, `prepare`) runs
// the full TypeScript compiler and fails on any type error.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const fast = process.env.BUILD_FAST === '1';

function listTs(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function compile() {
  if (fast) {
    require('esbuild').buildSync({
      entryPoints: listTs(src),
      outdir: path.join(dist, 'cjs'),
      outbase: src,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'error',
    });
    return;
  }
  const tsc = require.resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('build: TypeScript reported errors');
    process.exit(1);
  }
  checkDeclarations(tsc);
}

// The published declarations, checked as a strict consumer sees them (no skipLibCheck):
// stripInternal edits them after the source was checked (it drops every declaration that has
// the internal at-tag in a comment before it), so an error there shows up nowhere else.
function checkDeclarations(tsc) {
  const entries = ['server', 'client', 'parser', 'prometheus', 'cluster'].map((name) => path.join(dist, 'cjs', name, 'index.d.ts'));
  const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  args.push('--target', 'es2022', '--lib', 'es2022', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'));
  try {
    execFileSync(process.execPath, [tsc, ...args, ...entries], { stdio: 'inherit' });
  } catch {
    console.error('build: the published declarations (dist/cjs/**/*.d.ts) do not compile');
    process.exit(1);
  }
}

// One ESM wrapper per subpath export: default is the CommonJS module itself (the server
// module is callable), and every enumerable property becomes a named export.
function esmWrappers() {
  const entries = { server: 'server/index.js', client: 'client/index.js', parser: 'parser/index.js', prometheus: 'prometheus/index.js' };
  entries.cluster = 'cluster/index.js';
  fs.mkdirSync(path.join(dist, 'esm'), { recursive: true });
  for (const [name, rel] of Object.entries(entries)) {
    const file = path.join(dist, 'cjs', rel);
    if (!fs.existsSync(file)) continue;
    delete require.cache[file];
    let names = [];
    try {
      names = Object.keys(require(file)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
    } catch (err) {
      console.error(`build: cannot load ${rel} to list its exports: ${err.message}`);
      process.exit(1);
    }
    const lines = [`import m from '../cjs/${rel}';`, 'export default m;'];
    if (names.length) lines.push(`export const { ${names.join(', ')} } = m;`);
    fs.writeFileSync(path.join(dist, 'esm', `${name}.mjs`), lines.join('\n') + '\n');
  }
}

// Browser bundles of the client: an IIFE that defines the global `eio` (the factory, with
// `eio.Socket`), plain and minified, and a minified ESM bundle. Built from src/client/browser.ts
// and browser-esm.ts, with the browser twins and the defines of scripts/platform-swaps.js (the
// debug stub, the Buffer-free byte layer, the compact v3 codec; `__BROWSER__`). `_`-prefixed
// members (internal by convention) get short names in the minified files, which esbuild minifies
// and terser then compresses further (about 200 B less gzipped than esbuild alone; terser's
// safe defaults only: no `unsafe` transforms).
function browserBundles() {
  const entry = path.join(src, 'client', 'browser.ts');
  if (!fs.existsSync(entry)) return;
  const esbuild = require('esbuild');
  const { DEFINES, browserTwins } = require('./platform-swaps');
  const common = {
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    target: 'es2018',
    legalComments: 'none',
    logLevel: 'error',
    plugins: [browserTwins()],
    define: { 'process.env.NODE_ENV': '"production"', ...DEFINES },
  };
  const minified = { minify: true, mangleProps: /^_[a-zA-Z]/, write: false };
  // The entry itself defines the global `eio` (src/client/browser.ts).
  const iife = { format: 'iife' };
  const builds = [
    esbuild.build({ ...common, ...iife, outfile: path.join(dist, 'engine.io.js') }),
    esbuild.build({ ...common, ...minified, ...iife, outfile: path.join(dist, 'engine.io.min.js') }).then(compress),
  ];
  const esmEntry = path.join(src, 'client', 'browser-esm.ts');
  if (fs.existsSync(esmEntry)) {
    builds.push(
      esbuild
        .build({ ...common, ...minified, entryPoints: [esmEntry], format: 'esm', outfile: path.join(dist, 'engine.io.esm.min.js') })
        .then((result) => compress(result, { module: true })),
    );
  }
  // Asynchronous because esbuild runs plugins only in its async API; the process waits for it.
  return Promise.all(builds).catch((err) => {
    console.error(`build: browser bundles failed: ${err.message}`);
    process.exitCode = 1;
  });
}

/** Writes an esbuild-minified bundle (write: false) after a terser pass. */
async function compress(result, options = {}) {
  const { minify } = require('terser');
  const [file] = result.outputFiles;
  const out = await minify(file.text, { ecma: 2018, compress: { passes: 2 }, ...options });
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  fs.writeFileSync(file.path, out.code);
}

fs.rmSync(path.join(dist, 'esm'), { recursive: true, force: true });
compile();
esmWrappers();
browserBundles();
