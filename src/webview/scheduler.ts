/**
 * Yielding to the event loop without requestAnimationFrame: rAF (and so tf.nextFrame) stops in a
 * hidden webview, and setTimeout is throttled there, but a MessageChannel message is delivered
 * as a normal task, so training goes on while the panel is hidden and input is still handled.
 */

const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** Resolves after the browser has had a chance to run other tasks (input, rendering). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}
