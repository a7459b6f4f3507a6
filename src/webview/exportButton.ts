/** Pictures of the views for the host: "Save PNG" on each view, and a canvas as PNG base64. */
import { postToHost } from './host';

/** A canvas as PNG, base64 without the data: URL prefix (what the protocol carries), or undefined when it shows nothing. */
export function canvasPng(canvas: HTMLCanvasElement): string | undefined {
  if (canvas.hidden || !canvas.width || !canvas.height) return undefined;
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

/** A "Save PNG" button (labelled `label`) in view `id`'s caption: the host saves the picture, at the step `step()` gives, in the run folder. */
export function addExportButton(id: string, caption: HTMLElement, canvas: HTMLCanvasElement, label: string, step: () => number): void {
  const button = Object.assign(document.createElement('button'), { className: 'export', textContent: label, title: label });
  button.id = `export-${id}`;
  button.addEventListener('click', () => {
    const png = canvasPng(canvas);
    if (png) postToHost({ type: 'exportPng', view: id, step: step(), png });
  });
  caption.append(button);
}
