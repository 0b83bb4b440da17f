// Entry of the global (IIFE) browser bundle. The build makes the global `eio` this default
// export, the factory, which carries `eio.Socket`: so both `eio('ws://host')` and
// `new eio.Socket('ws://host')` (the Engine.IO README's example) work.
import { eio } from './browser-core';

export default eio;
