// The WebSocket transport in Node, over the `ws` package (headers, TLS options, compression).

import WebSocket from 'ws';
import type { Packet } from '../parser/packet';
import { WebSocketLike, WS } from './websocket';
import { cookieJarOf } from './cookie-jar';

const WS_OPTIONS = [
  'agent', 'perMessageDeflate', 'pfx', 'key', 'passphrase', 'cert', 'ca', 'ciphers', 'rejectUnauthorized',
  'localAddress', 'protocolVersion', 'origin', 'maxPayload', 'family', 'checkServerIdentity',
];

export class NodeWS extends WS {
  protected override _createSocket(uri: string, protocols: string | string[] | undefined): WebSocketLike {
    const options: Record<string, unknown> = { perMessageDeflate: { threshold: 1024 } };
    for (const key of WS_OPTIONS) if (this.opts[key] !== undefined) options[key] = this.opts[key];
    const headers: Record<string, string> = { ...this.opts.extraHeaders };
    const jar = cookieJarOf(this.opts);
    const cookie = jar && jar.header();
    if (cookie) headers.cookie = cookie;
    options.headers = headers;
    const ws = new WebSocket(uri, protocols, options);
    // Buffers as ws makes them: no copy into an ArrayBuffer (the codec converts when asked to).
    ws.binaryType = 'nodebuffer';
    if (jar) ws.on('upgrade', (res) => jar.parse(res.headers['set-cookie']));
    return ws as unknown as WebSocketLike;
  }

  protected override _doWrite(packet: Packet, data: string | Uint8Array): void {
    // Honour the per-packet compress flag (ws only deflates when both sides agreed to it).
    (this._ws as unknown as WebSocket).send(data, { compress: !packet.options || packet.options.compress !== false });
  }
}
