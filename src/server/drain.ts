// A graceful drain for rolling deploys: the node stops taking handshakes (the server refuses
// them with code 6, 503 and Retry-After while a Drain exists) and closes its sessions a few at
// a time, spread evenly over `timeout`, so that their clients do not all reconnect to the
// other nodes in the same second. One timer serves the whole spread, re-armed for the next
// session due. Each session is closed in order (a close packet on polling, WebSocket close
// code 1001), after its buffered packets went out.
import debugModule from 'debug';
import type { Socket } from './socket';

const debug = debugModule('engine:drain');

export interface DrainOptions {
  /** ms over which the open sessions are closed (default 30000); 0 closes them all at once. */
  timeout?: number;
  /** Seconds for the Retry-After header of refused handshakes (default 1). */
  retryAfter?: number;
}

/** Below this, sessions due close together on one tick instead of one timer each. */
const MIN_TICK_MS = 10;

export class Drain {
  readonly promise: Promise<void>;
  readonly timeout: number;
  readonly retryAfter: number;
  readonly startedAt = Date.now();
  /** The sessions to close, in order; `next` is the first not yet closed. */
  private readonly queue: Array<Socket | undefined>;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private resolve!: () => void;
  private finished = false;

  constructor(sessions: Socket[], opts: DrainOptions = {}) {
    const timeout = Number(opts.timeout ?? 30000);
    const retry = Number(opts.retryAfter ?? 1);
    this.timeout = Number.isFinite(timeout) && timeout > 0 ? timeout : 0;
    this.retryAfter = Number.isFinite(retry) && retry >= 0 ? retry : 1;
    this.queue = sessions;
    this.promise = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  get done(): boolean {
    return this.finished;
  }

  /** Starts closing; `remaining()` says how many sessions the server still has. */
  start(remaining: number): void {
    if (debug.enabled) debug('draining %d sessions over %d ms', this.queue.length, this.timeout);
    if (remaining === 0) {
      this.finish();
      return;
    }
    this.tick();
  }

  /** A session that opened after the drain began (its handshake was already under way). */
  add(socket: Socket): void {
    if (this.finished) {
      socket.closeForDrain();
      return;
    }
    this.queue.push(socket);
    if (this.timer === null) this.tick();
  }

  /** The server lost a session: the drain is over once it has none left. */
  sessionClosed(remaining: number): void {
    if (remaining === 0 && !this.finished) this.finish();
  }

  /** Ends the drain (the last session is gone, or the server closed them all). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // sessions that closed on their own before their turn: not kept reachable from the server
    this.queue.length = 0;
    this.next = 0;
    if (debug.enabled) debug('drain finished after %d ms', Date.now() - this.startedAt);
    this.resolve();
  }

  // Session i of n is due at timeout * i / n after the start: the first at once, the last a
  // little before the window ends. Every session due by now is closed, then the timer is armed
  // for the next one (at least MIN_TICK_MS away, so a huge node closes in batches).
  private tick(): void {
    this.timer = null;
    if (this.finished) return;
    const queue = this.queue;
    const n = queue.length;
    const elapsed = Date.now() - this.startedAt;
    const due = this.timeout === 0 ? n : Math.min(n, Math.floor((n * elapsed) / this.timeout) + 1);
    while (this.next < due) {
      const socket = queue[this.next];
      // drop the reference: a closed session must not stay reachable from a long drain
      queue[this.next] = undefined;
      this.next++;
      if (socket !== undefined) socket.closeForDrain();
      if (this.finished) return;
    }
    if (this.next >= n) return;
    const at = (this.timeout * this.next) / n;
    const timer = setTimeout(() => this.tick(), Math.max(MIN_TICK_MS, at - elapsed));
    timer.unref();
    this.timer = timer;
  }
}
