// HTTP long-polling (XHR): GET requests carry server -> client payloads, POST requests
// carry client -> server payloads. At most one pending GET and one POST body at a time.
import type { ServerResponse } from 'node:http';
import * as zlib from 'node:zlib';
import debugModule from 'debug';
import type { Packet } from '../../parser';
import { Transport } from '../transport';
import type { EngineRequest } from '../transport';
import { refuseBody } from './refused-body';
import { DEFAULT_POLLING_SETTINGS } from '../options';
import type { HttpCompressionOptions, PollingSettings } from '../options';

export type { HttpCompressionOptions } from '../options';

const debug = debugModule('engine:polling');

type OutgoingHeaders = Record<string, string | number | string[]>;

/** How long an orderly close waits for the client's next GET before giving up. */
const CLOSE_TIMEOUT = 30 * 1000;
// A GET forwarded by another node (cluster) whose connection was cut: how long the session waits
// for the client's next GET before taking it as gone (a balancer's retry comes within ms).
const FORWARD_GRACE_MS = 1000;

/** Picks gzip or deflate from an Accept-Encoding header (highest q wins, gzip on a tie). */
export function pickEncoding(header: string | undefined): 'gzip' | 'deflate' | null {
  if (!header) return null;
  let gzip = -1;
  let deflate = -1;
  let star = -1;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k && k.trim().toLowerCase() === 'q') q = Number(v) || 0;
    }
    if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip, q);
    else if (name === 'deflate') deflate = Math.max(deflate, q);
    else if (name === '*') star = q;
  }
  if (gzip < 0) gzip = star;
  if (deflate < 0) deflate = star;
  if (gzip <= 0 && deflate <= 0) return null;
  return gzip >= deflate ? 'gzip' : 'deflate';
}

function isBinaryContent(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/octet-stream');
}

export class Polling extends Transport {
  protected declare readonly settings: PollingSettings;
  /** Pending GET: the response we will write the next payload to. */
  private pollReq: EngineRequest | null = null;
  private pollRes: ServerResponse | null = null;
  /** POST whose body is being read. */
  private dataReq: EngineRequest | null = null;
  /** Set while an orderly close waits for a GET to carry the close packet. */
  private shouldClose: (() => void) | null = null;
  /** A forwarded GET was cut (its forwarding node died?): the session waits this long for the next. */
  private forwardGone: NodeJS.Timeout | null = null;

  constructor(req: EngineRequest, settings: PollingSettings = DEFAULT_POLLING_SETTINGS) {
    super(req, settings);
  }

  get name(): string {
    return 'polling';
  }

  /** The compression of answers (zlib options and threshold; false: none). */
  get httpCompression(): HttpCompressionOptions | false {
    return this.settings.httpCompression;
  }

  override onRequest(req: EngineRequest, res?: ServerResponse): void {
    if (!res) res = req.res as ServerResponse;
    req.res = null;
    const counters = this.counters;
    if (req.method === 'GET') {
      if (counters !== null) counters.getRequests++;
      this.onPollRequest(req, res);
    } else if (req.method === 'POST') {
      if (counters !== null) counters.postRequests++;
      this.onDataRequest(req, res);
    } else {
      res.writeHead(400);
      res.end();
    }
  }

  private onPollRequest(req: EngineRequest, res: ServerResponse): void {
    if (this.forwardGone !== null) {
      clearTimeout(this.forwardGone);
      this.forwardGone = null;
    }
    if (this.pollReq !== null && this.pollReq._forwarded === true) {
      // the pending GET came through another node, which may be gone unnoticed (relayed mode):
      // it is answered with a noop, nothing of the session's in it, and this GET takes its place
      this.writable = false;
      const noop: Packet[] = [{ type: 'noop' }];
      this.write(this.codec.encodePayload(noop, this.supportsBinary) as string | Buffer, false, false);
    }
    if (this.pollReq !== null) {
      if (debug.enabled) debug('request overlap');
      this.onError('overlap from client');
      res.writeHead(400, { 'Content-Length': 0 });
      res.end();
      return;
    }
    this.pollReq = req;
    this.pollRes = res;
    // (ServerResponse emits 'close' once: on() spares once()'s wrapper on every GET)
    res.on('close', () => {
      // still ours: the client went away before we answered
      if (this.pollRes === res) {
        this.pollReq = this.pollRes = null;
        this.writable = false;
        if (req._forwarded === true) {
          // the node that forwarded it went, not necessarily the client: a balancer retries
          // a GET through another node at once; only if none comes is the client gone
          this.forwardGone = setTimeout(() => {
            this.forwardGone = null;
            this.onError('poll connection closed prematurely');
          }, FORWARD_GRACE_MS);
          return;
        }
        this.onError('poll connection closed prematurely');
      }
    });
    this.writable = true;
    this.onReady();
    if (this.writable && this.shouldClose) {
      if (debug.enabled) debug('triggering empty send to append close packet');
      this.send([{ type: 'noop' }]);
    }
  }

  private onDataRequest(req: EngineRequest, res: ServerResponse): void {
    if (this.dataReq !== null) {
      this.onError('data request overlap from client');
      res.writeHead(400, { 'Content-Length': 0, Connection: 'close' });
      res.end();
      return;
    }
    const binary = isBinaryContent(req.headers['content-type']);
    if (binary && this.protocol === 4) {
      // v4 never posts binary payloads (CVE-2026-59725: the response must really end)
      this.onError('invalid content');
      res.writeHead(400, { 'Content-Length': 0, Connection: 'close' });
      res.end();
      return;
    }
    const limit = this.settings.maxHttpBufferSize;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      this.refuseTooLarge(req, res);
      return;
    }
    this.dataReq = req;
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('close', onClose);
      if (this.dataReq === req) this.dataReq = null;
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        // stop reading here: nothing past the limit is buffered or parsed (CVE-2020-36048)
        cleanup();
        this.refuseTooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
      res.writeHead(200, this.headers(req, { 'Content-Type': 'text/html', 'Content-Length': '2' }));
      res.end('ok');
      if (this.counters !== null) this.counters.bytesReceived += length;
      this.onData(binary ? body : body.toString('utf8'));
    };
    const onClose = () => {
      if (this.dataReq !== req) return;
      cleanup();
      this.onError('data request connection closed prematurely');
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  }

  private refuseTooLarge(req: EngineRequest, res: ServerResponse): void {
    // the rest of the body is read and dropped, never kept nor parsed, within bounds: closing
    // the connection right away would reset it under a client still writing, before it reads
    // the answer (see refused-body.ts)
    refuseBody(req, res, 413);
    this.onError('payload too large');
  }

  /** A whole POST body: one payload of packets. */
  protected override onData(data: string | Buffer): void {
    if (debug.enabled) debug('received "%s"', data);
    // (v4 bodies are always text here: onDataRequest refuses binary ones)
    const packets = this.codec.decodePayload(data, { binaryType: 'nodebuffer' });
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i];
      if (packet.type === 'close') {
        if (debug.enabled) debug('got xhr close packet');
        this.onClose();
        return;
      }
      this.onPacket(packet);
      if (this.readyState === 'closed') return;
    }
  }

  protected override onClose(): void {
    if (this.forwardGone !== null) {
      clearTimeout(this.forwardGone);
      this.forwardGone = null;
    }
    if (this.writable) {
      // release the pending GET so the client is not left hanging
      this.send([{ type: 'noop' }]);
    }
    super.onClose();
  }

  send(packets: Packet[], notify?: boolean): void {
    this.writable = false;
    if (this.shouldClose) {
      if (debug.enabled) debug('appending close packet to payload');
      packets.push({ type: 'close' });
      const done = this.shouldClose;
      this.shouldClose = null;
      done();
    }
    const counters = this.counters;
    if (counters !== null && this.pollRes !== null) {
      for (let i = 0; i < packets.length; i++) if (packets[i].type === 'message') counters.messagesSent++;
    }
    let compress = false;
    for (let i = 0; i < packets.length; i++) {
      const options = packets[i].options;
      if (options === undefined || options.compress !== false) {
        compress = true;
        break;
      }
    }
    const data = this.codec.encodePayload(packets, this.supportsBinary);
    this.write(data as string | Buffer, compress, notify === true);
  }

  private write(data: string | Buffer, compress: boolean, notify: boolean): void {
    const req = this.pollReq;
    const res = this.pollRes;
    this.pollReq = this.pollRes = null;
    if (req === null || res === null) return;
    if (debug.enabled) debug('writing "%s"', data);
    this.respond(req, res, data, compress, notify);
  }

  /** The body type and how it is wrapped; JSONP overrides both. */
  protected contentType(isString: boolean): string {
    return isString ? 'text/plain; charset=UTF-8' : 'application/octet-stream';
  }

  protected wrap(data: string | Buffer): string | Buffer {
    return data;
  }

  private respond(req: EngineRequest, res: ServerResponse, payload: string | Buffer, compress: boolean, notify: boolean): void {
    const data = this.wrap(payload);
    const isString = typeof data === 'string';
    const length = isString ? Buffer.byteLength(data as string) : (data as Buffer).length;
    if (this.counters !== null) this.counters.bytesSent += length;
    const headers: OutgoingHeaders = { 'Content-Type': this.contentType(isString) };
    const settings = this.settings;
    const opts = settings.httpCompression;
    const encoding = opts !== false && compress && length >= settings.compressionThreshold ? pickEncoding(req.headers['accept-encoding'] as string | undefined) : null;
    if (encoding === null) {
      headers['Content-Length'] = length;
      res.writeHead(200, this.headers(req, headers));
      res.end(data);
      if (notify) this.onDrain();
      return;
    }
    const input = isString ? Buffer.from(data as string) : (data as Buffer);
    const onCompressed = (err: Error | null, out: Buffer) => {
      if (err) {
        res.writeHead(500);
        res.end();
        this.onError('compression error', err);
        return;
      }
      headers['Content-Encoding'] = encoding;
      headers['Content-Length'] = out.length;
      headers['Vary'] = 'Accept-Encoding';
      res.writeHead(200, this.headers(req, headers));
      res.end(out);
      if (notify) this.onDrain();
    };
    const zopts = opts as zlib.ZlibOptions;
    if (encoding === 'gzip') zlib.gzip(input, zopts, onCompressed);
    else zlib.deflate(input, zopts, onCompressed);
  }

  /**
   * Response headers: no caching, then whatever 'headers' listeners add. The key is
   * `cache-control`, lowercase, as engine.io 6 writes it: listeners read or replace it by that name.
   */
  protected headers(req: EngineRequest, headers: OutgoingHeaders): OutgoingHeaders {
    headers['cache-control'] = 'no-store';
    const hook = this.settings.onHeaders;
    if (hook !== null) hook(this.sid, headers, req);
    if (this.listenerCount('headers') > 0) this.emit('headers', headers, req);
    return headers;
  }

  protected doClose(fn: () => void): void {
    if (debug.enabled) debug('closing');
    if (this.dataReq !== null) {
      const req = this.dataReq;
      this.dataReq = null;
      req.destroy();
    }
    let timer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (timer !== null) clearTimeout(timer);
      this.shouldClose = null;
      fn();
      this.onClose();
    };
    if (this.writable) {
      this.send([{ type: 'close' }]);
      finish();
    } else if (this.discarded) {
      finish();
    } else {
      // wait for the next GET to carry the close packet
      this.shouldClose = finish;
      timer = setTimeout(finish, CLOSE_TIMEOUT);
      timer.unref();
    }
  }
}

