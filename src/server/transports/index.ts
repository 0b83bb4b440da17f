// The transports the server can create, by the name clients put in `?transport=`.
// A null-prototype map: `__proto__`, `constructor` and friends are simply unknown names.
import { Polling } from './polling';
import { JSONP } from './jsonp';
import { WebSocketTransport } from './websocket';
import type { Transport, EngineRequest } from '../transport';
import type { PollingSettings, WebSocketSettings } from '../options';

/** The settings of each transport kind, as the server resolved them from its options. */
export interface TransportSettingsByName {
  polling: PollingSettings;
  websocket: WebSocketSettings;
}

export interface TransportFactory {
  (req: EngineRequest, settings?: TransportSettingsByName): Transport;
  /** Transports a session on this transport may upgrade to. */
  upgradesTo: string[];
  /** Whether it takes over upgraded HTTP connections (WebSocket). */
  handlesUpgrades: boolean;
}

/** XHR or JSONP polling, chosen by the presence of the `j` query parameter. */
const polling = function polling(req: EngineRequest, settings?: TransportSettingsByName): Transport {
  const own = settings !== undefined ? settings.polling : undefined;
  return typeof req._query.j === 'string' ? new JSONP(req, own) : new Polling(req, own);
} as TransportFactory;
polling.upgradesTo = ['websocket'];
polling.handlesUpgrades = false;

const websocket = function websocket(req: EngineRequest, settings?: TransportSettingsByName): Transport {
  return new WebSocketTransport(req, settings !== undefined ? settings.websocket : undefined);
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
