'use strict';
// Helpers for the Socket.IO tests: waiting for a client to connect, a TCP relay that can cut the
// network path, a throwaway TLS certificate. (The socket.io server, startIo(), is in ./servers.js.)
const net = require('node:net');
const { once } = require('node:events');
const { collect } = require('./index');
const servers = require('./servers');

/** Resolves when the client socket connects; rejects on connect_error / error or after `ms`. */
function connected(c, ms = 5000) {
  if (c.connected) return Promise.resolve(c);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('timed out waiting for connect')), ms);
    function finish(err) {
      clearTimeout(timer);
      c.off('connect', onConnect);
      c.off('connect_error', onError);
      c.off('error', onError);
      if (err) reject(err);
      else resolve(c);
    }
    function onConnect() {
      finish();
    }
    function onError(err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
    c.on('connect', onConnect);
    c.on('connect_error', onError);
    c.on('error', onError); // socket.io-client@2 reports namespace refusals as 'error'
  });
}

/**
 * A TCP relay between clients and `targetPort` that can be cut silently: `blackhole()` stops
 * forwarding in both directions without closing anything, like a dead network path, so only
 * heartbeats can notice; `kill()` destroys every relayed connection at once.
 */
async function relay(targetPort) {
  const pairs = new Set();
  let dropping = false;
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    const pair = { inbound, outbound };
    pairs.add(pair);
    inbound.on('data', (d) => {
      if (!dropping) outbound.write(d);
    });
    outbound.on('data', (d) => {
      if (!dropping) inbound.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', end);
    outbound.on('close', end);
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    get url() {
      return `http://127.0.0.1:${server.address().port}`;
    },
    blackhole() {
      dropping = true;
    },
    kill() {
      for (const { inbound, outbound } of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    async close() {
      this.kill();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), or null if openssl is missing. */
function selfSignedCert() {
  const { execFileSync } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-tls-'));
  try {
    execFileSync(
      'openssl',
      // the IP address as a subjectAltName too, so that a client can trust it by `ca` alone
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = {
  connected,
  collect,
  relay,
  selfSignedCert,
  SIO_PATH: servers.SIO_PATH,
  /** @deprecated use ./servers startIo(engineOpts, attachOpts, { io, tls }) */ startIo: ({ io, engine, tls } = {}) => servers.startIo(engine, undefined, { io, tls }),
};
