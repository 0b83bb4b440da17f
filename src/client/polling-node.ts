// Long-polling requests in Node, with node:http / node:https (no XMLHttpRequest polyfill).

import * as http from 'node:http';
import * as https from 'node:https';
import { debug } from './debug';
import { Polling, RequestCallback } from './polling';
import type { TransportOptions } from './transport';
import { CookieJar, cookieJarOf } from './cookie-jar';

const TLS_OPTIONS = ['agent', 'pfx', 'key', 'passphrase', 'cert', 'ca', 'ciphers', 'rejectUnauthorized', 'localAddress', 'family'];

export class NodePolling extends Polling {
  private _jar?: CookieJar;

  constructor(opts: TransportOptions) {
    super(opts);
    this._jar = cookieJarOf(opts);
  }

  protected _request(body: string | Uint8Array | undefined, callback: RequestCallback): () => void {
    const url = new URL(this._uri());
    const headers: Record<string, string | number> = { ...this.opts.extraHeaders };
    if (body !== undefined) {
      headers['Content-Type'] = typeof body === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream';
      headers['Content-Length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    }
    if (this._jar) {
      const cookie = this._jar.header();
      if (cookie) headers.Cookie = cookie;
    }
    const options: http.RequestOptions = { method: body === undefined ? 'GET' : 'POST', headers, agent: false };
    for (const key of TLS_OPTIONS) if (this.opts[key] !== undefined) (options as any)[key] = this.opts[key];
    const lib = url.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (err: unknown, data?: string | Uint8Array, context?: unknown) => {
      if (done) return;
      done = true;
      callback(err, data, context);
    };
    if (debug.enabled) debug('polling %s %s', options.method, url.href);
    const req = lib.request(url, options, (res) => {
      if (this._jar) this._jar.parse(res.headers['set-cookie']);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => finish(err));
      res.on('end', () => {
        if (res.statusCode !== 200) return finish(res.statusCode, undefined, res);
        const data = Buffer.concat(chunks);
        // Protocol v3 answers in its binary payload form when it says so.
        const binary = /^application\/octet-stream/.test(res.headers['content-type'] || '');
        finish(null, binary ? data : data.toString('utf8'), res);
      });
    });
    req.on('error', (err) => finish(err, undefined, req));
    if (this.opts.requestTimeout) {
      req.setTimeout(this.opts.requestTimeout, () => req.destroy(new Error('request timeout')));
    }
    req.end(body === undefined ? undefined : body);
    return () => {
      // An abort is not an error anyone waits for.
      done = true;
      req.destroy();
    };
  }
}
