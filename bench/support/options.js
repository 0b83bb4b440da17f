'use strict';
// The one options object every server gets. Heartbeats are slow on purpose, so no ping
// falls inside a measurement window; compression is off on both sides because the
// payloads are small. The two servers' defaults differ for `cookie` (ours follows the
// Engine.IO README: 'io'; engine.io@6 sends none), so it is set here: no Set-Cookie header
// on either side.
exports.SERVER_OPTIONS = Object.freeze({
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: false,
  cookie: false,
});

exports.PATH = '/engine.io/';

// A phase may change some options for its servers (the heartbeat phase shortens
// pingInterval): the parent passes them to the child in this environment variable, as JSON.
exports.OPTIONS_ENV = 'BENCH_SERVER_OPTIONS';

/** The options a server child runs with: SERVER_OPTIONS and the parent's overrides. */
exports.childOptions = function childOptions() {
  const extra = process.env[exports.OPTIONS_ENV];
  return { ...exports.SERVER_OPTIONS, ...(extra ? JSON.parse(extra) : {}) };
};
