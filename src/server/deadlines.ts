// One shared schedule for the sessions' heartbeat deadlines, instead of a Node timer per session.
//
// Every deadline of a server is one of a few fixed lengths (pingInterval, pingTimeout, and for
// v3 their sum). Deadlines of one length, kept in the order they were started, are therefore
// also in the order they fall due: a queue per length is sorted for free, its head is always
// the next to fire, and one Node timer per queue (armed for the head) serves every session.
// Starting, restarting and stopping a deadline are O(1) list operations on an object each
// session allocates once, where a Node timer would allocate a Timeout (and its argument
// array) for every ping and pong.

import { performance } from 'node:perf_hooks';

/** The longest delay setTimeout takes (Node turns a longer one into 1 ms). */
const MAX_DELAY = 2 ** 31 - 1;

/** The deadline queues by length in ms, shared by every server of the process. */
const queues = new Map<number, DeadlineQueue>();

function queueFor(ms: number): DeadlineQueue {
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  return queue;
}

/** What a deadline calls when it falls due. */
export interface DeadlineOwner {
  onDeadline(): void;
}

/** One pending deadline of its owner, who allocates it once and starts it again and again. */
export class Deadline {
  /** @internal the queue this deadline is waiting in, and its neighbours there */
  queue: DeadlineQueue | null = null;
  /** @internal */
  prev: Deadline | null = null;
  /** @internal */
  next: Deadline | null = null;
  /** @internal when it falls due, on performance.now()'s clock */
  due = 0;

  constructor(private readonly owner: DeadlineOwner) {}

  /**
   * Falls due `ms` from now (replacing whatever deadline was pending). Like setTimeout, a
   * length that is not a number of at least 1 counts as 1; past setTimeout's limit (about 24.8
   * days) it is that limit, where setTimeout would make it 1 ms.
   */
  start(ms: number): void {
    if (this.queue !== null) this.queue.remove(this);
    let length = Number(ms);
    if (!(length >= 1)) length = 1;
    else if (length > MAX_DELAY) length = MAX_DELAY;
    queueFor(length).append(this);
  }

  /** Falls due the same length of time from now as when it was started; nothing if stopped. */
  restart(): void {
    const queue = this.queue;
    if (queue === null) return;
    queue.remove(this);
    queue.append(this);
  }

  stop(): void {
    if (this.queue !== null) this.queue.remove(this);
  }

  get pending(): boolean {
    return this.queue !== null;
  }

  /** @internal called by the queue once it has unlinked this deadline */
  run(): void {
    this.owner.onDeadline();
  }
}

/** The deadlines of one length, in the order they fall due, and the one timer they share. */
class DeadlineQueue {
  private head: Deadline | null = null;
  private tail: Deadline | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires, on performance.now()'s clock. */
  private timerDue = 0;
  /** Set while expire() runs the due deadlines: it arms the timer itself when done. */
  private expiring = false;
  private readonly onTimer = () => this.expire();

  constructor(readonly ms: number) {}

  append(d: Deadline): void {
    d.queue = this;
    d.due = performance.now() + this.ms;
    d.prev = this.tail;
    d.next = null;
    if (this.tail === null) this.head = d;
    else this.tail.next = d;
    this.tail = d;
    // The timer is never armed later than the head is due: an empty queue arms it for this
    // deadline, a later deadline leaves it alone, and when the head is removed the timer fires
    // early and re-arms for the new head.
    if (this.timer === null && !this.expiring) this.arm(this.ms);
  }

  remove(d: Deadline): void {
    const { prev, next } = d;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    d.prev = d.next = null;
    d.queue = null;
    if (this.head === null && this.timer !== null) {
      // nothing left to wait for: no timer may outlive the last session
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(ms: number): void {
    this.timerDue = performance.now() + ms;
    const timer = setTimeout(this.onTimer, ms);
    // like the per-session timers it replaces, it never keeps the process alive
    timer.unref();
    this.timer = timer;
  }

  private expire(): void {
    this.timer = null;
    this.expiring = true;
    try {
      // Node may run a timer a fraction of a millisecond before performance.now() reaches
      // the time it was armed for; count anything due within 1 ms as due
      const now = Math.max(performance.now(), this.timerDue) + 1;
      let d = this.head;
      while (d !== null && d.due <= now) {
        this.remove(d);
        d.run();
        d = this.head;
      }
    } finally {
      // also after a throwing listener: the other sessions' deadlines must still fire
      this.expiring = false;
      const head = this.head;
      if (head !== null) this.arm(Math.max(0, Math.ceil(head.due - performance.now())));
    }
  }
}
