'use strict';
// The client side of the cluster tests: official engine.io-client 6 and 3 sessions through a
// balancer, and the sequence exchange the test nodes understand (test/support/cluster-node.js):
// the client numbers its messages c:0.., the owner checks them; the owner numbers its own
// s:0.., the client checks them. Both ways at once, spread over many requests.
const { Socket: SocketV6 } = require('engine.io-client');
const eioV3 = require('engine.io-client-v3');

/** Opens an official client (`version` 6 or 3) on `url`; resolves the open socket. */
function open(version, url, opts = {}, ms = 10000) {
  const socket = version === 3 ? eioV3(url, opts) : new SocketV6(url, opts);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine.io-client ${version}: no open within ${ms} ms`)), ms);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

/** The next message of `socket` that `match` accepts. */
function nextMessage(socket, match, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no matching message within ${ms} ms`));
    }, ms);
    function onMessage(m) {
      if (!match(m)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(m);
    }
    socket.on('message', onMessage);
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * `n` numbered messages each way at once, sent a few per tick so they travel in many requests.
 * Resolves `{ report, server }`: the owner's verdict on ours, and the numbers it sent us in the
 * order we got them.
 */
async function exchange(socket, n, ms = 30000) {
  const server = [];
  const onMessage = (m) => {
    if (typeof m === 'string' && m.startsWith('s:') && m !== 's:end') server.push(Number(m.slice(2)));
  };
  socket.on('message', onMessage);
  const ended = nextMessage(socket, (m) => m === 's:end', ms);
  socket.send('burst:' + n);
  for (let i = 0; i < n; i++) {
    socket.send('c:' + i);
    if (i % 7 === 6) await tick();
  }
  const reported = nextMessage(socket, (m) => typeof m === 'string' && m.startsWith('report:'), ms);
  socket.send('c:end');
  const [report] = await Promise.all([reported, ended]);
  socket.off('message', onMessage);
  return { report: JSON.parse(report.slice(7)), server };
}

/** Closes a client and resolves once it reports the close. */
function close(socket) {
  return new Promise((resolve) => {
    if (socket.readyState === 'closed') return resolve();
    socket.once('close', () => resolve());
    socket.close();
  });
}

module.exports = { open, nextMessage, exchange, close };
