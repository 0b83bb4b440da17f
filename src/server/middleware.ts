// Express-style middlewares (`server.use()`), run in order on handshake and upgrade requests
// before they are routed. On an upgrade `res` is the UpgradeResponse shim (upgrade-response.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An Express-style middleware. Declared as a method so that its parameters are compared
 * bivariantly: a framework's middleware typed with its own request (Express's `Request`
 * extends IncomingMessage) is accepted as it is.
 */
export type Middleware = {
  middleware(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
}['middleware'];

/**
 * Runs the middlewares in order; `done(err)` once they all called next() (or one failed: by
 * next(err), a throw or a rejected Promise). A middleware calling next() twice counts once.
 */
export function runMiddlewares(list: readonly Middleware[], req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void): void {
  let i = 0;
  const next = (err?: unknown): void => {
    if (err) return done(err);
    if (i === list.length) return done();
    const fn = list[i++];
    let called = false;
    const once = (e?: unknown) => {
      if (called) return;
      called = true;
      next(e);
    };
    try {
      const ret: any = fn(req, res, once);
      if (ret && typeof ret.then === 'function') ret.then(undefined, (e: unknown) => once(e || new Error('middleware failed')));
    } catch (e) {
      once(e || new Error('middleware failed'));
    }
  };
  next();
}
