/**
 * Noticing a lost WebGL context. With tfjs 4.22, after `webglcontextlost` every GPU read waits
 * forever with no error, and weights read back as zeros. The watch listens for the event and also
 * polls gl.isContextLost() (the event can come late), and guard() makes any wait on the GPU fail
 * with ContextLostError within a poll interval of the loss instead of hanging.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A GPU wait that cannot finish: the WebGL context is gone. */
export class ContextLostError extends Error {}

/** How often the context is polled, in ms: a loss is noticed within this. */
const POLL_MS = 250;

/** Watches the WebGL backend's context and fails waits on it once it is lost. */
export class ContextWatch {
  /** Why the context was lost, once it was. */
  lostReason: string | undefined;
  private readonly pending = new Set<(e: Error) => void>();
  private readonly listeners: Array<(reason: string) => void> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private detach: (() => void) | undefined;

  /** Whether the context is lost. */
  get lost(): boolean {
    return this.lostReason !== undefined;
  }

  /** Starts watching the context of the active WebGL backend; does nothing on other backends. */
  attach(): void {
    this.stop();
    this.lostReason = undefined;
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return;
    const onLost = (e: Event) => {
      e.preventDefault();
      this.markLost('the browser reported webglcontextlost');
    };
    const canvas = gl.canvas as HTMLCanvasElement | OffscreenCanvas;
    canvas.addEventListener('webglcontextlost', onLost as EventListener);
    this.detach = () => canvas.removeEventListener('webglcontextlost', onLost as EventListener);
    this.timer = setInterval(() => {
      if (gl.isContextLost()) this.markLost('gl.isContextLost() is true');
    }, POLL_MS);
  }

  /** Calls `listener` once the context is lost. */
  onLost(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }

  /** Records the loss: every guarded wait fails, and the listeners hear of it. */
  markLost(reason: string): void {
    if (this.lost) return;
    this.lostReason = reason;
    this.stop();
    const error = new ContextLostError(`the WebGL context was lost (${reason})`);
    this.pending.forEach((reject) => reject(error));
    this.pending.clear();
    this.listeners.forEach((l) => l(reason));
  }

  /** `p`, or a ContextLostError as soon as the context is lost. */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(new ContextLostError(`the WebGL context was lost (${this.lostReason})`));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      p.then(
        (v) => { this.pending.delete(reject); resolve(v); },
        (e: unknown) => { this.pending.delete(reject); reject(e); },
      );
    });
  }

  /** Stops listening and polling. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.detach?.();
    this.detach = undefined;
  }
}
