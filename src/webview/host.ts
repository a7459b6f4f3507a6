/** The webview's link to the extension host: typed messages through acquireVsCodeApi. */
import { parseHostMessage, type HostMessage, type PanelState, type WebviewMessage } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

/** Sends a typed message to the host. */
export function postToHost(message: WebviewMessage): void {
  api.postMessage(message);
}

/** Calls `handler` with every well-formed host message; malformed ones are reported, not acted on. */
export function onHostMessage(handler: (message: HostMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const msg = parseHostMessage(event.data);
    if (msg) handler(msg);
    else postToHost({ type: 'error', message: `ignored a malformed host message (type ${String((event.data as { type?: unknown })?.type)})` });
  });
}

/** Keeps `state` for VS Code to hand back to the host after a window reload (see PanelState). */
export function saveState(state: PanelState): void {
  api.setState(state);
}
