// The server's operational counters: plain integers in objects the server creates once and
// hands to its sessions and transports, which increment them where things happen. Nothing is
// allocated per packet and nothing is looked up by name on the message path: a transport
// holds its own TransportCounters, a session the Metrics object. `snapshot()` turns them into
// the plain object `server.metrics()` returns (cheap: a few dozen fields, no session walk).
//
// What "bytes" means: the bytes of Engine.IO-encoded data a transport read or wrote, all
// packet types included, before HTTP or permessage-deflate compression and without HTTP or
// WebSocket framing. For polling that is the body of every POST read and of every GET answer
// (a JSONP answer with its `___eio[j]("…");` wrapper); for WebSocket, the payload of every
// data frame (one encoded packet each). "Messages" are message packets only.

/** Upper bounds, in seconds, of the histogram buckets (the last bucket is +Inf). */
export const HISTOGRAM_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** A fixed-bucket histogram of durations in seconds. */
export class DurationHistogram {
  /** Observations per bucket (not cumulative); one more entry than HISTOGRAM_BUCKETS, for +Inf. */
  readonly counts: number[] = new Array(HISTOGRAM_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    const bounds = HISTOGRAM_BUCKETS;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]) i++;
    this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    const buckets: HistogramBucket[] = [];
    let cumulative = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS.length; i++) {
      cumulative += this.counts[i];
      buckets.push({ le: HISTOGRAM_BUCKETS[i], count: cumulative });
    }
    return { buckets, sum: this.sum, count: this.count };
  }
}

/** The counters of one transport kind (polling, websocket), owned by the server's Metrics. */
export class TransportCounters {
  /** Open sessions currently on this transport, by protocol revision. */
  sessionsV3 = 0;
  sessionsV4 = 0;
  /** Sessions opened on this transport (successful handshakes). */
  handshakes = 0;
  messagesReceived = 0;
  messagesSent = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Polling only: HTTP requests handed to a session's transport. */
  getRequests = 0;
  postRequests = 0;

  /** @internal a session arrived on, or left, this transport (`delta` is 1 or -1) */
  addSession(protocol: 3 | 4, delta: number): void {
    if (protocol === 4) this.sessionsV4 += delta;
    else this.sessionsV3 += delta;
  }
}

/** Why sessions closed, as the Socket `close` event says (see socket.ts). */
const CLOSE_REASONS = [
  'transport close',
  'transport error',
  'ping timeout',
  'parse error',
  'forced close',
  'server shutting down',
  'server draining',
] as const;

/** The connection_error codes (errors.ts): 0-5 are Engine.IO's, 6 is ours (draining). */
const ERROR_CODE_COUNT = 7;

export class Metrics {
  readonly startedAt = Date.now();
  readonly polling = new TransportCounters();
  readonly websocket = new TransportCounters();
  upgradesCompleted = 0;
  upgradesFailed = 0;
  upgradesTimedOut = 0;
  /** Closed sessions by close reason (fixed keys, so the object keeps one shape). */
  readonly closes: Record<string, number> = Object.create(null);
  /** Refused requests (connection_error) by error code. */
  readonly connectionErrors: number[] = new Array(ERROR_CODE_COUNT).fill(0);
  /** Bytes (string lengths in UTF-16 units, as for maxBufferedAmount) in the sessions' write buffers. */
  bufferedBytes = 0;
  /** From the WebSocket being handed to the session to its upgrade packet. */
  readonly upgradeDuration = new DurationHistogram();
  /** From a handshake request reaching the engine to its session being open. */
  readonly handshakeDuration = new DurationHistogram();

  constructor() {
    for (const reason of CLOSE_REASONS) this.closes[reason] = 0;
  }

  /** The counters of transport `name`, or null for a transport we do not count. */
  forTransport(name: string): TransportCounters | null {
    return name === 'polling' ? this.polling : name === 'websocket' ? this.websocket : null;
  }

  /** @internal */
  closed(reason: string): void {
    this.closes[reason] = (this.closes[reason] || 0) + 1;
  }

  /** @internal */
  refused(code: number): void {
    if (code >= 0 && code < this.connectionErrors.length) this.connectionErrors[code]++;
  }

  snapshot(enabled: boolean, draining: boolean): MetricsSnapshot {
    const p = this.polling;
    const w = this.websocket;
    const polling = p.sessionsV3 + p.sessionsV4;
    const websocket = w.sessionsV3 + w.sessionsV4;
    const closes: Record<string, number> = {};
    for (const reason in this.closes) closes[reason] = this.closes[reason];
    const connectionErrors: Record<string, number> = {};
    for (let code = 0; code < this.connectionErrors.length; code++) connectionErrors[code] = this.connectionErrors[code];
    return {
      enabled,
      draining,
      startedAt: this.startedAt,
      time: Date.now(),
      sessions: {
        total: polling + websocket,
        byTransport: { polling, websocket },
        byProtocol: { v3: p.sessionsV3 + w.sessionsV3, v4: p.sessionsV4 + w.sessionsV4 },
        byTransportAndProtocol: {
          polling: { v3: p.sessionsV3, v4: p.sessionsV4 },
          websocket: { v3: w.sessionsV3, v4: w.sessionsV4 },
        },
      },
      handshakes: { total: p.handshakes + w.handshakes, polling: p.handshakes, websocket: w.handshakes },
      upgrades: { completed: this.upgradesCompleted, failed: this.upgradesFailed, timeout: this.upgradesTimedOut },
      closes,
      connectionErrors,
      transports: { polling: trafficOf(p), websocket: trafficOf(w) },
      pollingRequests: { get: p.getRequests, post: p.postRequests },
      bufferedBytes: this.bufferedBytes,
      upgradeDurationSeconds: this.upgradeDuration.snapshot(),
      handshakeDurationSeconds: this.handshakeDuration.snapshot(),
    };
  }
}

function trafficOf(c: TransportCounters): TrafficSnapshot {
  return { messagesReceived: c.messagesReceived, messagesSent: c.messagesSent, bytesReceived: c.bytesReceived, bytesSent: c.bytesSent };
}

export interface HistogramBucket {
  /** Upper bound in seconds (the +Inf bucket is `count` of the histogram). */
  le: number;
  /** Observations <= le (cumulative, as Prometheus counts them). */
  count: number;
}

export interface HistogramSnapshot {
  /** One per bound of HISTOGRAM_BUCKETS, in order; observations above the last are in `count` only. */
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

export interface TrafficSnapshot {
  messagesReceived: number;
  messagesSent: number;
  bytesReceived: number;
  bytesSent: number;
}

/** What `server.metrics()` returns. Counters count since the server was created. */
export interface MetricsSnapshot {
  /** false with the `metrics: false` option: then every counter stays 0. */
  enabled: boolean;
  draining: boolean;
  /** ms since the epoch: when the server was created, and when this snapshot was taken. */
  startedAt: number;
  time: number;
  sessions: {
    total: number;
    byTransport: { polling: number; websocket: number };
    byProtocol: { v3: number; v4: number };
    byTransportAndProtocol: { polling: { v3: number; v4: number }; websocket: { v3: number; v4: number } };
  };
  handshakes: { total: number; polling: number; websocket: number };
  upgrades: { completed: number; failed: number; timeout: number };
  /** Closed sessions by close reason. */
  closes: Record<string, number>;
  /** Refused requests by error code ('0'…'6'). */
  connectionErrors: Record<string, number>;
  transports: { polling: TrafficSnapshot; websocket: TrafficSnapshot };
  pollingRequests: { get: number; post: number };
  bufferedBytes: number;
  upgradeDurationSeconds: HistogramSnapshot;
  handshakeDurationSeconds: HistogramSnapshot;
}
