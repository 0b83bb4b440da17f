'use strict';
// Lightweight load generators that speak Engine.IO protocol v4 directly: raw `ws`
// WebSockets and raw keep-alive HTTP requests over TCP (raw-http.js). They do far less work
// per packet than engine.io-client, so the load generator is not what limits the server.
const WebSocket = require('ws');
const { PATH } = require('./options');
const { Pool, wsOpenAndClose } = require('./raw-http');

const SEP = '\x1e';
const CHAR_MESSAGE = 0x34; // '4'
const CHAR_PING = 0x32; // '2'

// every HTTP request of the load generator goes through this pool of raw keep-alive sockets
const agent = new Pool();

function query(transport, sid) {
  return `${PATH}?EIO=4&transport=${transport}${sid ? `&sid=${sid}` : ''}`;
}

function httpRequest(port, method, path, body) {
  return agent.request(port, method, path, body);
}

// Parses the open packet `0{...}` and returns its sid.
function sidOf(openPacket) {
  if (openPacket.charCodeAt(0) !== 0x30) throw new Error(`expected an open packet, got ${JSON.stringify(openPacket.slice(0, 80))}`);
  return JSON.parse(openPacket.slice(1)).sid;
}

async function pollingHandshake(port) {
  const body = await httpRequest(port, 'GET', query('polling'));
  return sidOf(body.split(SEP)[0]);
}

const pollingGet = (port, sid) => httpRequest(port, 'GET', query('polling', sid));
const pollingPost = (port, sid, payload) => httpRequest(port, 'POST', query('polling', sid), payload);

// A polling session that echoes one message at a time: a GET waits while the POST delivers
// `4<payload>`; the round trip ends when the echo came back on a GET and the POST said ok.
class PollingEchoClient {
  constructor(port, payload) {
    this.port = port;
    this.packet = `4${payload}`;
    this.sid = null;
    this.running = false;
    this.roundTrips = 0;
    this.done = null;
  }

  async open() {
    this.sid = await pollingHandshake(this.port);
  }

  start() {
    this.running = true;
    this.done = this.loop();
  }

  async loop() {
    while (this.running) {
      const get = this.pollUntilMessage();
      await pollingPost(this.port, this.sid, this.packet);
      await get;
      this.roundTrips++;
    }
  }

  async pollUntilMessage() {
    for (;;) {
      const body = await pollingGet(this.port, this.sid);
      let gotMessage = false;
      for (const packet of body.split(SEP)) {
        if (packet.charCodeAt(0) === CHAR_MESSAGE) gotMessage = true;
        else if (packet.charCodeAt(0) === CHAR_PING) await pollingPost(this.port, this.sid, '3');
      }
      if (gotMessage) return;
    }
  }

  async stop() {
    this.running = false;
    await this.done;
  }
}

// Opens a WebSocket session over raw TCP, reads its open packet, closes it.
async function wsHandshake(port) {
  sidOf(await wsOpenAndClose(port, query('websocket')));
}

// Opens a raw WebSocket session; resolves with the socket once the open packet arrived.
function openWebSocket(port, sid) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${query('websocket', sid)}`, { perMessageDeflate: false });
    if (sid) {
      ws.once('open', () => {
        ws.off('error', reject);
        resolve(ws);
      });
    } else {
      ws.once('message', (data) => {
        ws.off('error', reject);
        ws.sid = sidOf(data.toString());
        resolve(ws);
      });
    }
    ws.once('error', reject);
  });
}

function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      ws.off('close', onClose);
      resolve(data.toString());
    };
    const onClose = () => {
      ws.off('message', onMessage);
      reject(new Error('websocket closed while waiting for a message'));
    };
    ws.once('message', onMessage);
    ws.once('close', onClose);
  });
}

// A WebSocket session that echoes one message at a time (a text frame `4<payload>`),
// answering pings; the frame is encoded once and reused.
class WsEchoClient {
  constructor(port, payload) {
    this.port = port;
    this.frame = Buffer.from(`4${payload}`);
    this.ws = null;
    this.running = false;
    this.echoes = 0;
    this.onMessage = this.onMessage.bind(this);
  }

  async open() {
    this.ws = await openWebSocket(this.port);
    this.ws.on('message', this.onMessage);
  }

  start() {
    this.running = true;
    this.ws.send(this.frame, { binary: false });
  }

  onMessage(data) {
    const type = data[0];
    if (type === CHAR_MESSAGE) {
      this.echoes++;
      if (this.running) this.ws.send(this.frame, { binary: false });
    } else if (type === CHAR_PING) {
      this.ws.send('3');
    }
  }

  stop() {
    this.running = false;
  }

  close() {
    this.ws.terminate();
  }
}

// A WebSocket session of the broadcast row that keeps one broadcast in flight: it sends
// `4B<index>:<payload>`, which the server sends to every session (this one included), and sends
// it again once its own came back (an echo client that waits for its own message among all the
// others); it answers pings, and every other message it only counts.
class WsBroadcastTrigger extends WsEchoClient {
  constructor(port, index, payload) {
    super(port, `B${index}:${payload}`);
    this.received = 0;
  }

  onMessage(data) {
    if (data[0] === CHAR_PING) {
      this.ws.send('3');
      return;
    }
    this.received++;
    if (this.running && data.equals(this.frame)) this.ws.send(this.frame, { binary: false });
  }
}

// A session of the broadcast row that only listens: it counts messages and answers pings.
async function openListener(port) {
  const ws = await openWebSocket(port);
  ws.received = 0;
  ws.on('message', (data) => {
    if (data[0] === CHAR_PING) ws.send('3');
    else ws.received++;
  });
  return ws;
}

module.exports = {
  agent,
  openListener,
  WsBroadcastTrigger,
  openWebSocket,
  nextMessage,
  pollingHandshake,
  pollingGet,
  pollingPost,
  PollingEchoClient,
  WsEchoClient,
  wsHandshake,
  SEP,
};
