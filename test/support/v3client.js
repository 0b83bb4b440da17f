'use strict';
// The official engine.io-client@3 (installed as `engine.io-client-v3`) in Node, with the two browser
// facilities it lacks there, so that its real transport code runs against a real server:
//
// - XHR2. In Node the v3 client uses `xmlhttprequest-ssl`, which has no `responseType`; the client
//   then decides XHR2 is unsupported and always falls back to base64 (`b64=1`). The binary payload
//   path (application/octet-stream both ways) would never be exercised. `Xhr2` below is a minimal
//   XMLHttpRequest Level 2 over node:http that the client detects as XHR2-capable; it is installed
//   in place of the client's `lib/transports/xmlhttprequest.js` before the client is loaded.
//   `forceBase64: true` still gives the base64 path.
// - A DOM for JSONP. The client's JSONP transport polls by inserting <script src> elements and
//   sends with a hidden <form> POSTed into an <iframe>. `installJsonpDocument()` provides the few
//   elements it touches: a script's src is fetched and its body evaluated as a browser would; a
//   form submit becomes an application/x-www-form-urlencoded POST of its textarea, after which the
//   target iframe's onload fires.
//
// Every HTTP exchange made through either facility is recorded in `wire` so tests can assert which
// path was taken on the wire (content types, query parameters).
const http = require('node:http');
const path = require('node:path');
const vm = require('node:vm');

/** Requests made by the shims: { kind: 'xhr'|'script'|'form', method, url, requestType, status, responseType }. */
const wire = [];
const pending = new Set();

function toBody(data) {
  if (data === null || data === undefined) return undefined;
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return String(data);
}

class Xhr2 {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.responseType = '';
    this.response = null;
    this.responseText = '';
    this.withCredentials = false;
    this.timeout = 0;
    this.onreadystatechange = null;
    this._headers = {};
    this._res = null;
    this._req = null;
    this._aborted = false;
  }

  open(method, url) {
    this._method = method;
    this._url = new URL(url);
    this._setState(1);
  }

  setRequestHeader(name, value) {
    this._headers[name] = value;
  }

  getResponseHeader(name) {
    if (!this._res) return null;
    const v = this._res.headers[String(name).toLowerCase()];
    return v === undefined ? null : v;
  }

  send(data) {
    const record = {
      kind: 'xhr',
      method: this._method,
      url: this._url.pathname + this._url.search,
      requestType: this._headers['Content-type'] || this._headers['Content-Type'] || null,
      status: 0,
      responseType: null,
    };
    wire.push(record);
    const req = http.request(
      {
        method: this._method,
        host: this._url.hostname,
        port: this._url.port,
        path: this._url.pathname + this._url.search,
        headers: this._headers,
        agent: false,
      },
      (res) => {
        if (this._aborted) return res.resume();
        this._res = res;
        this.status = res.statusCode;
        record.status = res.statusCode;
        record.responseType = res.headers['content-type'] || null;
        // A browser reports HEADERS_RECEIVED here; the client may switch responseType now.
        this._setState(2);
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          pending.delete(req);
          if (this._aborted) return;
          const buf = Buffer.concat(chunks);
          if (this.responseType === 'arraybuffer') {
            // The v3 client's Node parser indexes the payload bytewise: a Buffer is what it expects.
            this.response = buf;
          } else {
            this.responseText = buf.toString('utf8');
            this.response = this.responseText;
          }
          this._setState(4);
        });
      },
    );
    this._req = req;
    pending.add(req);
    req.on('error', () => {
      pending.delete(req);
      if (this._aborted) return;
      this.status = 0;
      this._setState(4);
    });
    req.end(toBody(data));
  }

  abort() {
    this._aborted = true;
    if (this._req) {
      pending.delete(this._req);
      this._req.destroy();
    }
  }

  _setState(state) {
    this.readyState = state;
    if (typeof this.onreadystatechange === 'function') this.onreadystatechange();
  }
}

// Install the XHR2 shim where the v3 client looks for XMLHttpRequest, then load the client.
const xhrModulePath = path.join(
  path.dirname(require.resolve('engine.io-client-v3/package.json')),
  'lib/transports/xmlhttprequest.js',
);
require.cache[xhrModulePath] = {
  id: xhrModulePath,
  filename: xhrModulePath,
  loaded: true,
  exports: Xhr2,
  children: [],
  paths: [],
};
const V3Socket = require('engine.io-client-v3');

// ---------------------------------------------------------------------------------------------
// Minimal DOM for the JSONP transport.

class Element {
  constructor(doc, tag) {
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.parentNode = null;
    this.style = {};
    this.attributes = {};
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  appendChild(child) {
    return this.insertBefore(child, null);
  }
  insertBefore(child, ref) {
    if (child.parentNode) child.parentNode.removeChild(child);
    const i = ref ? this.children.indexOf(ref) : -1;
    if (i >= 0) this.children.splice(i, 0, child);
    else this.children.push(child);
    child.parentNode = this;
    this.ownerDocument._inserted(child);
    return child;
  }
  removeChild(child) {
    const i = this.children.indexOf(child);
    if (i < 0) throw new Error('NotFoundError: not a child');
    this.children.splice(i, 1);
    child.parentNode = null;
    return child;
  }
  submit() {
    if (this.tagName !== 'FORM') return;
    this.ownerDocument._submit(this);
  }
}

class JsonpDocument {
  constructor() {
    this.head = new Element(this, 'head');
    this.body = new Element(this, 'body');
  }
  createElement(tag) {
    // Modern browsers reject the old IE `createElement('<iframe name=...>')` form; the client
    // catches that and falls back to the standard form.
    if (!/^[a-z]+$/i.test(tag)) throw new Error('InvalidCharacterError');
    return new Element(this, tag);
  }
  getElementsByTagName() {
    return [];
  }

  _inserted(el) {
    if (el.tagName !== 'SCRIPT' || !el.src) return;
    const url = new URL(el.src);
    const record = { kind: 'script', method: 'GET', url: url.pathname + url.search, status: 0, responseType: null, body: null };
    wire.push(record);
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent: false }, (res) => {
      record.status = res.statusCode;
      record.responseType = res.headers['content-type'] || null;
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        pending.delete(req);
        const text = Buffer.concat(chunks).toString('utf8');
        record.body = text;
        // A script removed from the document before it loaded is not run.
        if (!el.parentNode) return;
        if (res.statusCode !== 200) {
          if (typeof el.onerror === 'function') el.onerror(new Error(`script load failed: ${res.statusCode}`));
          return;
        }
        vm.runInThisContext(text, { filename: el.src });
      });
    });
    pending.add(req);
    req.on('error', (err) => {
      pending.delete(req);
      if (el.parentNode && typeof el.onerror === 'function') el.onerror(err);
    });
  }

  _submit(form) {
    const area = form.children.find((c) => c.tagName === 'TEXTAREA');
    const body = new URLSearchParams([[area.name, area.value]]).toString();
    const url = new URL(form.action);
    const record = {
      kind: 'form',
      method: 'POST',
      url: url.pathname + url.search,
      requestType: 'application/x-www-form-urlencoded',
      requestBody: body,
      status: 0,
      responseType: null,
    };
    wire.push(record);
    const req = http.request(
      {
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
        agent: false,
      },
      (res) => {
        record.status = res.statusCode;
        record.responseType = res.headers['content-type'] || null;
        res.resume();
        res.on('end', () => {
          pending.delete(req);
          // The response loads into the iframe the form targets.
          const frame = form.children.find((c) => c.tagName === 'IFRAME' && c.name === form.target);
          if (frame && typeof frame.onload === 'function') frame.onload();
        });
      },
    );
    pending.add(req);
    req.on('error', () => pending.delete(req));
    req.end(body);
  }
}

/** Makes `document` global for the JSONP transport; returns an uninstaller. */
function installJsonpDocument() {
  const doc = new JsonpDocument();
  global.document = doc;
  return function uninstall() {
    if (global.document === doc) delete global.document;
  };
}

/** Aborts whatever the shims still have in flight (for test teardown). */
function abortPending() {
  for (const req of pending) req.destroy();
  pending.clear();
}

module.exports = { V3Socket, Xhr2, wire, installJsonpDocument, abortPending };
