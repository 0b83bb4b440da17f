'use strict';
// The one options object both servers get. Heartbeats are slow on purpose, so no ping
// falls inside a measurement window; compression is off on both sides because the
// payloads are small and our server has no compression yet (a later issue).
exports.SERVER_OPTIONS = Object.freeze({
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: false,
});

exports.PATH = '/engine.io/';
