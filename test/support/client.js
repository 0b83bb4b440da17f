'use strict';
// Helpers for the client tests: the two engines to test against and a port with nobody listening.
// (Servers, including the fake one that handshakes and then goes silent, are in ./servers.js.)
const http = require('node:http');
const { collect, waitFor } = require('./index');
const servers = require('./servers');

const ENGINES = ['official', 'ours'];

/** A port on 127.0.0.1 that nothing listens on (just closed). */
async function deadPort() {
  const server = http.createServer();
  const port = await servers.listenLocal(server);
  await servers.closeHttpServer(server);
  return port;
}

// `next(emitter, event, ms)`: the arguments of the next `event` (the suites' name for waitFor).
module.exports = {
  ENGINES,
  deadPort,
  collect,
  next: waitFor,
  /** @deprecated use ./servers startServer({ allowEIO3: true, ...opts }, undefined, { eio: kind }) */ startEngine: (kind, opts = {}) => servers.startServer({ allowEIO3: true, ...opts }, undefined, { eio: kind }),
  /** @deprecated use ./servers silentServer() */ silentServer: servers.silentServer,
};
