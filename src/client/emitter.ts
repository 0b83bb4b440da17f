// A minimal event emitter for the client. The browser bundle has a size budget, so this holds
// only what the client API needs: on/once/off (with their Node-style aliases), emit,
// listeners and hasListeners.

export type Listener = (...args: any[]) => void;

interface Wrapped extends Listener {
  /** The user's function behind a `once` wrapper, so `off(event, fn)` finds it. */
  _fn?: Listener;
}

export class Emitter {
  private _events: Record<string, Wrapped[]> = Object.create(null);

  on(event: string, fn: Listener): this {
    (this._events[event] || (this._events[event] = [])).push(fn);
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapper: Wrapped = (...args: any[]) => {
      this.off(event, wrapper);
      fn.apply(this, args);
    };
    wrapper._fn = fn;
    return this.on(event, wrapper);
  }

  /** Removes one listener, every listener of `event`, or every listener at all. */
  off(event?: string, fn?: Listener): this {
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

  emit(event: string, ...args: any[]): this {
    const list = this._events[event];
    if (list) {
      // A copy: listeners may remove themselves (once) while we iterate.
      const copy = list.slice();
      for (let i = 0; i < copy.length; i++) copy[i].apply(this, args);
    }
    return this;
  }

  listeners(event: string): Listener[] {
    return (this._events[event] || []).slice();
  }

  hasListeners(event: string): boolean {
    return !!this._events[event] && this._events[event].length > 0;
  }

  // Aliases that Node's EventEmitter and the official client also answer to.
  addEventListener(event: string, fn: Listener): this {
    return this.on(event, fn);
  }

  removeListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }

  removeAllListeners(event?: string): this {
    return this.off(event);
  }

  removeEventListener(event?: string, fn?: Listener): this {
    return this.off(event, fn);
  }
}
