'use strict';
// The one options object both servers get. Heartbeats are slow on purpose, so no ping
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
