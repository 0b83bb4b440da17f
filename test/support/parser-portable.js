'use strict';
// Runs the codec the way a browser bundle does: bundled by esbuild for the browser platform and
// evaluated in a fresh V8 context that has no Buffer, no require and no process. Values cross
// the context boundary as JSON (binary as hex plus its constructor name), because objects from
// another context have other prototypes.
const vm = require('node:vm');
const esbuild = require('esbuild');

// Evaluated inside the context, after the bundle has defined the global `P`.
const HARNESS = `
globalThis.harness = (function () {
  function fromHex(h) {
    var u = new Uint8Array(h.length / 2);
    for (var i = 0; i < u.length; i++) u[i] = parseInt(h.substr(i * 2, 2), 16);
    return u;
  }
  function hexOf(x) {
    var u = x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    var s = '';
    for (var i = 0; i < u.length; i++) s += (u[i] < 16 ? '0' : '') + u[i].toString(16);
    return s;
  }
  function mk(d) {
    if (d === null || typeof d !== 'object') return d;
    var bytes = fromHex(d.hex);
    if (d.kind === 'arraybuffer') return bytes.buffer;
    if (d.kind === 'uint8array') return bytes;
    var big = new Uint8Array(bytes.length + 8);
    big.set(bytes, 3);
    if (d.kind === 'subarray') return big.subarray(3, 3 + bytes.length);
    return new DataView(big.buffer, 3, bytes.length);
  }
  function out(x) {
    if (typeof x === 'string') return x;
    return { bin: hexOf(x), ctor: x.constructor.name };
  }
  function outPacket(p) {
    var o = { type: p.type };
    if (p.data !== undefined) o.data = out(p.data);
    return o;
  }
  function mkPacket(p) {
    var o = { type: p.type };
    if (p.data !== undefined) o.data = mk(p.data);
    return o;
  }
  return function (ns, op, argsJson) {
    var a = JSON.parse(argsJson);
    var codec = P[ns];
    var r;
    if (op === 'encodePacket') r = out(codec.encodePacket(mkPacket(a[0]), a[1]));
    else if (op === 'encodePayload') r = out(codec.encodePayload(a[0].map(mkPacket), a[1]));
    else if (op === 'decodePacket') r = outPacket(codec.decodePacket(mk(a[0]), a[1]));
    else if (op === 'decodePayload') r = codec.decodePayload(mk(a[0]), a[1]).map(outPacket);
    else throw new Error('unknown op ' + op);
    return JSON.stringify(r);
  };
})();
`;

const path = require('node:path');

const { DEFINES, browserTwins } = require('../../scripts/platform-swaps');

const parserDir = path.join(__dirname, '..', '..', 'src', 'parser');

/**
 * The parser bundled for browsers, running in a context without Node globals (but with atob,
 * btoa, TextEncoder and TextDecoder, which every browser has).
 * - 'portable': the built package (dist) as any bundler sees it: binary.ts without Buffer, which
 *   hands over to binary-portable.ts.
 * - 'browser': the sources as the client's browser bundle has them, with the swaps and the
 *   defines of scripts/platform-swaps.js (binary-portable.ts, v3-compact.ts, `__BROWSER__`).
 */
async function loadPortable(variant = 'portable') {
  const browser = variant === 'browser';
  const result = await esbuild.build({
    entryPoints: [browser ? path.join(parserDir, 'index.ts') : require.resolve('engine.io-ts/parser')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'P',
    write: false,
    logLevel: 'silent',
    metafile: true,
    plugins: browser ? [browserTwins()] : [],
    define: browser ? DEFINES : {},
  });
  const code = result.outputFiles[0].text;
  // Only what every browser has; deliberately no Buffer.
  const globals = { TextEncoder, TextDecoder, atob, btoa };
  const context = vm.createContext(globals);
  vm.runInContext(code, context, { filename: `parser.${variant}.js` });
  vm.runInContext(HARNESS, context);
  const harness = context.harness;
  return {
    variant,
    code,
    /** The modules bundled, as paths relative to the working directory. */
    inputs: Object.keys(result.metafile.inputs),
    hasBuffer: vm.runInContext("typeof Buffer !== 'undefined'", context),
    call(ns, op, ...args) {
      return JSON.parse(harness(ns, op, JSON.stringify(args)));
    },
  };
}

module.exports = { loadPortable };
