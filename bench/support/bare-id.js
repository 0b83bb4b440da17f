'use strict';
// Session ids for the bare references: 15 random bytes, base64url, drawn from a block filled
// by one CSPRNG call every 256 ids. A production engine does not pay a call into the CSPRNG
// (and its fork check, a getpid() per call) on every handshake: engine.io@6's base64id pools
// its bytes, and so do we (src/server/id.ts). A limit that paid it would sit above what the
// engines can reach.
const { randomFillSync } = require('node:crypto');

const ID_BYTES = 15;
const block = Buffer.allocUnsafe(ID_BYTES * 256);
let next = block.length;

function bareId() {
  if (next === block.length) {
    randomFillSync(block);
    next = 0;
  }
  const id = block.toString('base64url', next, next + ID_BYTES);
  next += ID_BYTES;
  return id;
}

module.exports = { bareId };
