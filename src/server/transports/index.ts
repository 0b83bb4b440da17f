// The transports the server can create, by the name clients put in `?transport=`.
// A null-prototype map: `__proto__`, `constructor` and friends are simply unknown names.
import { Polling } from './polling';
import { JSONP } from './jsonp';
import { WebSocketTransport } from './websocket';
import type { Transport, EngineRequest } from '../transport';

export interface TransportFactory {
  (req: EngineRequest): Transport;
  /** Transports a session on this transport may upgrade to. */
  upgradesTo: string[];
  /** Whether it takes over upgraded HTTP connections (WebSocket). */
  handlesUpgrades: boolean;
}

/** XHR or JSONP polling, chosen by the presence of the `j` query parameter. */
const polling = function polling(req: EngineRequest): Transport {
  return typeof req._query.j === 'string' ? new JSONP(req) : new Polling(req);
} as TransportFactory;
polling.upgradesTo = ['websocket'];
polling.handlesUpgrades = false;

const websocket = function websocket(req: EngineRequest): Transport {
  return new WebSocketTransport(req);
} as TransportFactory;
websocket.upgradesTo = [];
websocket.handlesUpgrades = true;

const transports: Record<string, TransportFactory> = Object.create(null);
transports.polling = polling;
transports.websocket = websocket;

/** The transport factory of that name, or undefined (own entries only). */
export function getTransport(name: unknown): TransportFactory | undefined {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(transports, name) ? transports[name] : undefined;
}

export { Polling, JSONP, WebSocketTransport };
export default transports;
