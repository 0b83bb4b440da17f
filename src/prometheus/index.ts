// engine.io-ts/prometheus: the server's metrics() snapshot as Prometheus metrics, through
// prom-client (a peer dependency of this entry only). Nothing is recorded per event: every
// metric reads the snapshot when the registry is scraped (one snapshot per scrape, shared
// by all the metrics of that scrape).
//
//   const { registerMetrics } = require('engine.io-ts/prometheus');
//   registerMetrics(engine, { registry, node: 'web-1' });
import { Counter, Gauge, register as globalRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Server } from '../server/server';
import type { MetricsSnapshot, HistogramSnapshot } from '../server/metrics';

export interface RegisterMetricsOptions {
  /** The prom-client Registry to add the metrics to (default: prom-client's global `register`). */
  registry?: Registry<any>;
  /** Labels added to every sample, e.g. `{ node: 'web-1' }` when several nodes report. */
  labels?: Record<string, string>;
  /** Shorthand for `labels: { node }`; with the cluster option it defaults to the cluster's nodeId. */
  node?: string;
  /** Prefix of every metric name (default 'eio_'). */
  prefix?: string;
}

export interface RegisteredMetrics {
  /** The names registered (with the prefix). */
  readonly names: string[];
  /** Removes them from the registry again. */
  unregister(): void;
}

const TRANSPORTS = ['polling', 'websocket'] as const;

type Labels = Record<string, string>;

/** A histogram read from the snapshot at scrape time (prom-client's Histogram only observes). */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => HistogramSnapshot,
    private readonly labels: Labels,
  ) {}

  async get(): Promise<object> {
    const h = this.read();
    const values: Array<{ value: number; labels: Labels; metricName: string }> = [];
    for (const b of h.buckets) values.push({ value: b.count, labels: { ...this.labels, le: String(b.le) }, metricName: `${this.name}_bucket` });
    values.push({ value: h.count, labels: { ...this.labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
    values.push({ value: h.sum, labels: { ...this.labels }, metricName: `${this.name}_sum` });
    values.push({ value: h.count, labels: { ...this.labels }, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    // the counts live in the server: nothing to reset here
  }
}

/**
 * Registers the engine's metrics in a prom-client registry: eio_sessions, eio_handshakes_total,
 * eio_upgrades_total, eio_closes_total, eio_connection_errors_total, eio_messages_{received,sent}_total,
 * eio_bytes_{received,sent}_total, eio_polling_requests_total, eio_buffered_bytes, eio_draining,
 * eio_upgrade_duration_seconds and eio_handshake_duration_seconds (see the README).
 */
export function registerMetrics(engine: Server, options: RegisterMetricsOptions = {}): RegisteredMetrics {
  if (!engine || typeof engine.metrics !== 'function') throw new TypeError('registerMetrics: expected an engine.io-ts Server');
  if (!engine.metrics().enabled) throw new Error('registerMetrics: this server was created with `metrics: false`');
  const opts = options || {};
  const registry: Registry<any> = opts.registry || globalRegistry;
  const prefix = opts.prefix ?? 'eio_';
  const extra: Labels = { ...(opts.labels || {}) };
  // with the cluster option each node reports its own: its nodeId unless told otherwise
  if (opts.node !== undefined) extra.node = String(opts.node);
  else if (extra.node === undefined && engine.opts.cluster?.nodeId !== undefined) extra.node = String(engine.opts.cluster.nodeId);
  const extraNames = Object.keys(extra);

  // one snapshot per scrape: every collect() of a scrape runs in the same synchronous pass
  let cached: MetricsSnapshot | null = null;
  const snapshot = (): MetricsSnapshot => {
    if (cached === null) {
      cached = engine.metrics();
      queueMicrotask(() => {
        cached = null;
      });
    }
    return cached;
  };

  const names: string[] = [];
  const withLabels = (labels: Labels): Labels => (extraNames.length ? { ...labels, ...extra } : labels);

  function gauge(name: string, help: string, labelNames: string[], fill: (set: (labels: Labels, value: number) => void, s: MetricsSnapshot) => void): void {
    const full = prefix + name;
    new Gauge({
      name: full,
      help,
      labelNames: [...labelNames, ...extraNames],
      registers: [registry],
      collect(this: Gauge<string>) {
        this.reset();
        fill((labels, value) => this.set(withLabels(labels), value), snapshot());
      },
    });
    names.push(full);
  }

  function counter(name: string, help: string, labelNames: string[], fill: (add: (labels: Labels, value: number) => void, s: MetricsSnapshot) => void): void {
    const full = prefix + name;
    new Counter({
      name: full,
      help,
      labelNames: [...labelNames, ...extraNames],
      registers: [registry],
      collect(this: Counter<string>) {
        this.reset();
        fill((labels, value) => this.inc(withLabels(labels), value), snapshot());
      },
    });
    names.push(full);
  }

  function histogram(name: string, help: string, pick: (s: MetricsSnapshot) => HistogramSnapshot): void {
    const full = prefix + name;
    registry.registerMetric(new SnapshotHistogram(full, help, () => pick(snapshot()), extra) as any);
    names.push(full);
  }

  gauge('sessions', 'Open sessions, by current transport and protocol revision.', ['transport', 'protocol'], (set, s) => {
    for (const t of TRANSPORTS) {
      const byProtocol = s.sessions.byTransportAndProtocol[t];
      set({ transport: t, protocol: '3' }, byProtocol.v3);
      set({ transport: t, protocol: '4' }, byProtocol.v4);
    }
  });
  counter('handshakes_total', 'Sessions opened (successful handshakes), by the transport of the handshake.', ['transport'], (add, s) => {
    for (const t of TRANSPORTS) add({ transport: t }, s.handshakes[t]);
  });
  counter('upgrades_total', 'Transport upgrades handed to a session, by result.', ['result'], (add, s) => {
    add({ result: 'completed' }, s.upgrades.completed);
    add({ result: 'failed' }, s.upgrades.failed);
    add({ result: 'timeout' }, s.upgrades.timeout);
  });
  counter('closes_total', 'Closed sessions, by close reason.', ['reason'], (add, s) => {
    for (const reason of Object.keys(s.closes)) add({ reason }, s.closes[reason]);
  });
  counter('connection_errors_total', 'Refused requests (connection_error), by Engine.IO error code.', ['code'], (add, s) => {
    for (const code of Object.keys(s.connectionErrors)) add({ code }, s.connectionErrors[code]);
  });
  counter('messages_received_total', 'Message packets received, by transport.', ['transport'], (add, s) => {
    for (const t of TRANSPORTS) add({ transport: t }, s.transports[t].messagesReceived);
  });
  counter('messages_sent_total', 'Message packets sent, by transport.', ['transport'], (add, s) => {
    for (const t of TRANSPORTS) add({ transport: t }, s.transports[t].messagesSent);
  });
  counter('bytes_received_total', 'Engine.IO-encoded bytes received (polling: POST bodies; websocket: frame payloads), by transport.', ['transport'], (add, s) => {
    for (const t of TRANSPORTS) add({ transport: t }, s.transports[t].bytesReceived);
  });
  counter('bytes_sent_total', 'Engine.IO-encoded bytes sent, before compression (polling: response bodies; websocket: frame payloads), by transport.', ['transport'], (add, s) => {
    for (const t of TRANSPORTS) add({ transport: t }, s.transports[t].bytesSent);
  });
  counter('polling_requests_total', 'Polling HTTP requests handed to a session, by method.', ['method'], (add, s) => {
    add({ method: 'GET' }, s.pollingRequests.get);
    add({ method: 'POST' }, s.pollingRequests.post);
  });
  gauge('buffered_bytes', "Bytes waiting in the sessions' write buffers.", [], (set, s) => set({}, s.bufferedBytes));
  gauge('draining', '1 while the server drains (server.drain()), else 0.', [], (set, s) => set({}, s.draining ? 1 : 0));
  histogram('upgrade_duration_seconds', 'From the WebSocket reaching the session to the upgrade packet.', (s) => s.upgradeDurationSeconds);
  histogram('handshake_duration_seconds', 'From a handshake request reaching the engine to its session being open.', (s) => s.handshakeDurationSeconds);

  return {
    names,
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
