// Health for readiness and liveness probes: what `server.health()` reports, the event-loop
// delay it includes, and the JSON answer of the opt-in `healthPath`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

export interface HealthReport {
  /** The engine answers (false once server.close() was called). */
  live: boolean;
  /** Takes new sessions: not draining, not closed, and every readiness check passes. */
  ready: boolean;
  draining: boolean;
  /** Open sessions on this node. */
  sessions: number;
  /** The 99th percentile of the event loop's delay since the previous reading, in ms. */
  eventLoopDelayMs: number;
  /** The readiness checks added with addReadinessCheck(), by name (only when there are some). */
  checks?: Record<string, boolean>;
}

/** A readiness condition (e.g. "Redis reachable" when clustered): true when satisfied. */
export type ReadinessCheck = () => boolean;

/** Timer resolution of the delay monitor: it samples every RESOLUTION_MS. */
const RESOLUTION_MS = 20;

/**
 * The event-loop delay, measured by node:perf_hooks only once someone asked for it (health()
 * or healthPath): the monitor's timer is unref'd by Node and disabled by stop().
 */
export class EventLoopDelay {
  private histogram: IntervalHistogram | null = null;
  private last = 0;

  start(): void {
    if (this.histogram !== null) return;
    const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    h.enable();
    this.histogram = h;
  }

  /** The p99 delay (ms, beyond the sampling interval) since the previous read; then resets. */
  read(): number {
    this.start();
    const h = this.histogram!;
    if (h.count > 0) {
      const ms = h.percentile(99) / 1e6 - RESOLUTION_MS;
      this.last = Math.max(0, Math.round(ms * 100) / 100);
      h.reset();
    }
    return this.last;
  }

  stop(): void {
    if (this.histogram === null) return;
    this.histogram.disable();
    this.histogram = null;
  }
}

/** Whether `req` asks for the health path (any query string ignored). */
export function isHealthRequest(req: IncomingMessage, healthPath: string): boolean {
  const url = req.url || '';
  if (!url.startsWith(healthPath)) return false;
  return url.length === healthPath.length || url.charCodeAt(healthPath.length) === 63; // '?'
}

/** Answers a probe: the report as JSON, 200 when ready, 503 when not (HEAD: no body). */
export function answerHealth(req: IncomingMessage, res: ServerResponse, report: HealthReport): void {
  const body = JSON.stringify(report);
  res.writeHead(report.ready ? 200 : 503, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
