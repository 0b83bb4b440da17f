// Long-polling requests in browsers, with XMLHttpRequest (credentials, timeouts and binary
// responses everywhere).

import { Polling, RequestCallback } from './polling';

export class XHRPolling extends Polling {
  protected _request(body: string | Uint8Array | undefined, callback: RequestCallback): () => void {
    const xhr = new XMLHttpRequest();
    const opts = this.opts;
    let done = false;
    const finish = (err: unknown, data?: string | Uint8Array) => {
      if (!done) {
        done = true;
        callback(err, data, xhr);
      }
    };
    xhr.open(body === undefined ? 'GET' : 'POST', this._uri(), true);
    const headers = opts.extraHeaders || {};
    for (const name in headers) xhr.setRequestHeader(name, headers[name]);
    // A string body gets "text/plain;charset=UTF-8" from XMLHttpRequest itself.
    if (typeof body === 'object') xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    // Protocol v3 may answer with its binary payload form; v4 payloads are always text.
    if (opts.protocol === 3 && this.supportsBinary) xhr.responseType = 'arraybuffer';
    xhr.withCredentials = !!opts.withCredentials;
    if (opts.requestTimeout) xhr.timeout = opts.requestTimeout;
    xhr.onload = () => {
      if (xhr.status !== 200) return finish(xhr.status);
      let data = xhr.response;
      if (typeof data !== 'string') {
        data = new Uint8Array(data);
        // (No header at all reads as "null": not binary either.)
        if (!/octet-stream/.test(xhr.getResponseHeader('Content-Type') as string)) data = new TextDecoder().decode(data);
      }
      finish(null, data);
    };
    // Network errors and timeouts (status 0).
    xhr.onerror = xhr.ontimeout = () => finish(xhr.status);
    // (A GET sends undefined, which XMLHttpRequest takes as no body, like null.)
    xhr.send(body as any);
    return () => {
      done = true;
      xhr.abort();
    };
  }
}
