// Entry of the ESM browser bundle: `import eio, { Socket } from './engine.io.esm.min.js'`.
export { eio as default, Socket, protocol, transports } from './browser-core';
