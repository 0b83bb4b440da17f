'use strict';
// The package as a TypeScript user gets it: `npm pack`, the tarball installed into a fresh
// `"type": "module"` project with only `typescript`, `@types/node` (and `prom-client`, the optional
// peer of engine.io-ts/prometheus) beside it, then a strict
// `tsc` (module nodenext, no skipLibCheck) over the consumer sources in test/types-consumer/:
// an ES module and a CommonJS one. Every `// @ts-expect-error` there must stay an error (tsc
// fails on an unused one), and, compiled again with the directives blanked out, each must be
// the one error on its line. Two of the compiled consumers are then run: a real round trip.
//
// The install is `--prefer-offline` with the versions of our own lock file (npm's cache holds
// them after `npm ci`), so it takes a second or two and works without the registry.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { isBuiltin } = require('node:module');

const root = path.join(__dirname, '..');
const fixtures = path.join(__dirname, 'types-consumer');
const pkg = require('../package.json');
const TS_VERSION = require('typescript/package.json').version;
const TYPES_NODE_VERSION = require('@types/node/package.json').version;
const PROM_CLIENT_VERSION = require('prom-client/package.json').version;
const SOURCES = ['esm.ts', 'cjs.cts', 'run.ts', 'run.cts'];
const DIRECTIVE = '// @ts-expect-error';

// npm's own settings pass through (cache, registry, proxies); what `npm test` sets for its
// script (npm_lifecycle_*, npm_package_*, the command line's flags) does not.
const KEEP_NPM = /^npm_config_(cache|registry|userconfig|globalconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile)$/i;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || KEEP_NPM.test(k)));

/** Runs a command; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tsconfig(include, extra) {
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      // no DOM: the declarations must not need a browser's types
      lib: ['es2022'],
      skipLibCheck: false,
      noEmitOnError: true,
      ...extra,
    },
    include,
  });
}

/** `file(line,col): error TSnnnn` lines of tsc's output, as { file, line, code }. */
function diagnostics(output) {
  const out = [];
  for (const m of output.matchAll(/^(\S+?)\((\d+),\d+\): error (TS\d+)/gm)) out.push({ file: m[1], line: Number(m[2]), code: m[3] });
  return out;
}

/** Bare module names the declaration files of `dir` import or reference. */
function declarationImports(dir) {
  const names = new Set();
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.d\.[cm]?ts$/.test(entry.name)) {
        const text = fs.readFileSync(p, 'utf8');
        const specs = [
          ...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
          ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
          ...text.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
          ...text.matchAll(/<reference\s+types=['"]([^'"]+)['"]/g),
        ].map((m) => m[1]);
        for (const s of specs) if (!s.startsWith('.')) names.add(s);
      }
    }
  };
  walk(dir);
  return names;
}

let dir;
let installed;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine.io-ts-types-'));
  // the build of `npm test` is packed as is: `prepare` would rebuild dist under running tests
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
  assert.strictEqual(packed.code, 0, packed.stderr);
  const tarball = path.join(dir, JSON.parse(packed.stdout)[0].filename);
  const consumer = path.join(dir, 'consumer');
  fs.mkdirSync(path.join(consumer, 'src'), { recursive: true });
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  installed = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball, `typescript@${TS_VERSION}`, `@types/node@${TYPES_NODE_VERSION}`, `prom-client@${PROM_CLIENT_VERSION}`],
    consumer,
  );
  for (const f of SOURCES) fs.copyFileSync(path.join(fixtures, f), path.join(consumer, 'src', f));
});

test.after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function consumerDir() {
  assert.strictEqual(installed.code, 0, `npm install failed:\n${installed.stdout}\n${installed.stderr}`);
  return path.join(dir, 'consumer');
}

function tsc(cwd, project) {
  return run(process.execPath, [path.join(cwd, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], cwd);
}

test('types: what the published declarations import is a dependency of the package (or a Node built-in, typed by @types/node)', () => {
  const cwd = consumerDir();
  const installedPkg = path.join(cwd, 'node_modules', 'engine.io-ts');
  const installedJson = JSON.parse(fs.readFileSync(path.join(installedPkg, 'package.json'), 'utf8'));
  const deps = installedJson.dependencies || {};
  // an integration's own entry (engine.io-ts/prometheus) may import its optional peer dependency
  const peers = installedJson.peerDependencies || {};
  const names = declarationImports(path.join(installedPkg, 'dist'));
  assert.ok(names.size > 0, 'the declarations import nothing at all: were they packed?');
  for (const name of names) {
    let needs;
    if (isBuiltin(name) || name === 'node') needs = '@types/node';
    else needs = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0];
    if (needs === 'engine.io-ts') continue;
    if (needs in peers) continue;
    assert.ok(needs in deps, `the declarations import "${name}", but ${needs} is not in the package's dependencies`);
    if (needs === '@types/node' || needs.startsWith('@types/')) continue;
    // a dependency without declarations of its own is typed by @types/NAME, which must then be one too
    const depPkg = JSON.parse(fs.readFileSync(path.join(cwd, 'node_modules', needs, 'package.json'), 'utf8'));
    const ownTypes = depPkg.types || depPkg.typings || fs.existsSync(path.join(cwd, 'node_modules', needs, 'index.d.ts'));
    const typesName = `@types/${needs.replace(/^@/, '').replace('/', '__')}`;
    assert.ok(ownTypes || typesName in deps, `the declarations import "${name}", which has no types of its own, and ${typesName} is not a dependency`);
  }
  // what `npm test` runs on: the same file layout the "types" conditions point to
  for (const [entry, conditions] of Object.entries(pkg.exports)) {
    if (typeof conditions !== 'object' || !conditions.types) continue;
    assert.ok(fs.existsSync(path.join(installedPkg, conditions.types)), `${entry}: ${conditions.types} is not in the tarball`);
  }
});

test('types: a strict ES module and CommonJS consumer compiles against the tarball, and every @ts-expect-error is an error', async () => {
  const cwd = consumerDir();
  fs.writeFileSync(path.join(cwd, 'tsconfig.json'), tsconfig(['src'], { outDir: 'out', rootDir: 'src' }));
  const out = await tsc(cwd, 'tsconfig.json');
  assert.strictEqual(out.code, 0, `tsc failed:\n${out.stdout}${out.stderr}`);
  assert.ok(fs.existsSync(path.join(cwd, 'out', 'esm.js')) && fs.existsSync(path.join(cwd, 'out', 'cjs.cjs')));
});

test('types: with the directives blanked out, each @ts-expect-error line is exactly one error, and nothing else is', async () => {
  const cwd = consumerDir();
  const expected = [];
  fs.mkdirSync(path.join(cwd, 'blank'), { recursive: true });
  for (const f of ['esm.ts', 'cjs.cts']) {
    const lines = fs.readFileSync(path.join(fixtures, f), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim().startsWith(DIRECTIVE)) {
        expected.push(`blank/${f}:${i + 2}`);
        lines[i] = line.replace(DIRECTIVE, '// (expected error below)');
      }
    });
    fs.writeFileSync(path.join(cwd, 'blank', f), lines.join('\n'));
  }
  assert.ok(expected.length >= 15, `only ${expected.length} @ts-expect-error lines found`);
  fs.writeFileSync(path.join(cwd, 'tsconfig.blank.json'), tsconfig(['blank'], { noEmit: true }));
  const out = await tsc(cwd, 'tsconfig.blank.json');
  const seen = diagnostics(out.stdout).map((d) => `${d.file}:${d.line}`);
  assert.notStrictEqual(out.code, 0);
  assert.deepStrictEqual([...new Set(seen)].sort(), expected.sort(), out.stdout);
  assert.strictEqual(seen.length, expected.length, `more than one error on a line:\n${out.stdout}`);
});

test('types: the compiled consumers run: an echo round trip from the ES module (upgraded to WebSocket) and from CommonJS', async () => {
  const cwd = consumerDir();
  if (!fs.existsSync(path.join(cwd, 'out', 'run.js'))) {
    const out = await tsc(cwd, 'tsconfig.json');
    assert.strictEqual(out.code, 0, out.stdout);
  }
  const esm = await run(process.execPath, [path.join(cwd, 'out', 'run.js')], cwd);
  assert.strictEqual(esm.code, 0, esm.stderr);
  assert.deepStrictEqual(JSON.parse(esm.stdout), { reply: 'echo:esm', transport: 'websocket' });
  const cjs = await run(process.execPath, [path.join(cwd, 'out', 'run.cjs')], cwd);
  assert.strictEqual(cjs.code, 0, cjs.stderr);
  assert.deepStrictEqual(JSON.parse(cjs.stdout), { reply: 'echo:cjs', transport: 'polling' });
});

test('types: the same consumers compile under moduleResolution bundler (the ES module) and node10 with module commonjs (the CommonJS one)', async () => {
  const cwd = consumerDir();
  fs.mkdirSync(path.join(cwd, 'bundler'), { recursive: true });
  fs.mkdirSync(path.join(cwd, 'node10'), { recursive: true });
  fs.copyFileSync(path.join(fixtures, 'esm.ts'), path.join(cwd, 'bundler', 'esm.ts'));
  // node10 has no .cts: the same source as a .ts of a CommonJS build
  fs.copyFileSync(path.join(fixtures, 'cjs.cts'), path.join(cwd, 'node10', 'cjs.ts'));
  fs.writeFileSync(path.join(cwd, 'tsconfig.bundler.json'), tsconfig(['bundler'], { noEmit: true, module: 'esnext', moduleResolution: 'bundler' }));
  fs.writeFileSync(path.join(cwd, 'tsconfig.node10.json'), tsconfig(['node10'], { noEmit: true, module: 'commonjs', moduleResolution: 'node10' }));
  for (const project of ['tsconfig.bundler.json', 'tsconfig.node10.json']) {
    const out = await tsc(cwd, project);
    assert.strictEqual(out.code, 0, `${project}:\n${out.stdout}${out.stderr}`);
  }
});
