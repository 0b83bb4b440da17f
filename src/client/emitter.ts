// A minimal event emitter for the client. The browser bundle has a size budget, so this holds
// only what the client API needs: on/once/off (with their Node-style aliases), emit,
// listeners and hasListeners.
//
// Typed by an events map (event name -> listener signature), the way socket.io types its
// emitters: `Emitter<SocketEvents>` takes only those names, with those arguments. The type
// parameter costs nothing at run time. Without one, any name and any arguments are accepted.

export type Listener = (...args: any[]) => void;

/** Listener signatures by event name. */
export type EventsMap = { [event: string]: Listener };

/** The arguments of the listeners of that event. */
export type EventArgs<F> = F extends (...args: infer A) => unknown ? A : never;

interface Wrapped extends Listener {
  /** The user's function behind a `once` wrapper, so `off(event, fn)` finds it. */
  _fn?: Listener;
}

export class Emitter<Events extends { [E in keyof Events]: Listener } = EventsMap> {
  private _events: Record<string, Wrapped[]> = Object.create(null);

  on<E extends keyof Events & string>(event: E, fn: Events[E]): this {
    (this._events[event] || (this._events[event] = [])).push(fn);
    return this;
  }

  once<E extends keyof Events & string>(event: E, fn: Events[E]): this {
    const wrapper: Wrapped = (...args: any[]) => {
      this.off(event, wrapper as Events[E]);
      fn.apply(this, args);
    };
    wrapper._fn = fn;
    return this.on(event, wrapper as Events[E]);
  }

  /** Removes one listener, every listener of `event`, or every listener at all. */
  off<E extends keyof Events & string>(event?: E, fn?: Events[E]): this {
    if (event === undefined) this._events = Object.create(null);
    else if (fn === undefined) delete this._events[event];
    else {
      const list = this._events[event];
      if (list) {
        for (let i = 0; i < list.length; i++) {
          if (list[i] === fn || list[i]._fn === fn) {
            list.splice(i, 1);
            break;
          }
        }
      }
    }
    return this;
  }

  emit<E extends keyof Events & string>(event: E, ...args: EventArgs<Events[E]>): this {
    const list = this._events[event];
    if (list) {
      // A copy: listeners may remove themselves (once) while we iterate.
      const copy = list.slice();
      for (let i = 0; i < copy.length; i++) copy[i].apply(this, args);
    }
    return this;
  }

  listeners<E extends keyof Events & string>(event: E): Array<Events[E]> {
    return (this._events[event] || []).slice() as Array<Events[E]>;
  }

  hasListeners(event: keyof Events & string): boolean {
    return this.listeners(event).length > 0;
  }

  // Aliases that Node's EventEmitter and the official client also answer to.
  addEventListener<E extends keyof Events & string>(event: E, fn: Events[E]): this {
    return this.on(event, fn);
  }

  removeListener<E extends keyof Events & string>(event?: E, fn?: Events[E]): this {
    return this.off(event, fn);
  }

  removeAllListeners(event?: keyof Events & string): this {
    return this.off(event);
  }

  removeEventListener<E extends keyof Events & string>(event?: E, fn?: Events[E]): this {
    return this.off(event, fn);
  }
}
