'use strict';
// A module shaped like `ws` (exports `Server` / `WebSocketServer`) whose server counts the upgrades
// it handles: for passing `wsEngine` as a module name and checking it is the one used.
const { WebSocketServer } = require('ws');

class CountingWebSocketServer extends WebSocketServer {
  handleUpgrade(req, socket, head, cb) {
    CountingWebSocketServer.upgrades.push(req.url);
    return super.handleUpgrade(req, socket, head, cb);
  }
}
CountingWebSocketServer.upgrades = [];
CountingWebSocketServer.constructed = 0;

// Count constructions without changing the constructor signature ws expects.
const Counted = new Proxy(CountingWebSocketServer, {
  construct(target, args, newTarget) {
    target.constructed++;
    return Reflect.construct(target, args, newTarget);
  },
});

module.exports = { Server: Counted, WebSocketServer: Counted, CountingWebSocketServer };
