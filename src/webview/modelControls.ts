/**
 * The inputs a model declares for its views (ControlSpec): a text box (a prompt) or a slider
 * (a temperature, a sampling step). Values are reported as they are committed: text on Enter or
 * when focus leaves, sliders as they move (at most every 150 ms).
 */
import type { ControlSpec } from '../core/views';

/** Replaces the contents of `box` with one input per control; `onChange` gets (id, value). */
export function buildModelControls(box: HTMLElement, controls: readonly ControlSpec[], t: (s: string) => string, onChange: (id: string, value: string | number) => void): void {
  box.replaceChildren();
  box.hidden = controls.length === 0;
  for (const c of controls) {
    const label = document.createElement('label');
    label.className = 'model-control';
    const name = document.createElement('span');
    name.textContent = t(c.label);
    const input = document.createElement('input');
    input.id = `control-${c.id}`;
    label.append(name, input);
    if (c.kind === 'text') {
      input.type = 'text';
      input.value = String(c.default);
      input.size = 32;
      const commit = () => onChange(c.id, input.value);
      input.addEventListener('change', commit);
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') commit();
      });
    } else {
      input.type = 'range';
      input.min = String(c.min ?? 0);
      input.max = String(c.max ?? 1);
      input.step = String(c.step ?? 'any');
      input.value = String(c.default);
      const shown = document.createElement('output');
      shown.textContent = input.value;
      label.append(shown);
      let timer: ReturnType<typeof setTimeout> | undefined;
      input.addEventListener('input', () => {
        shown.textContent = input.value;
        if (timer === undefined) {
          timer = setTimeout(() => {
            timer = undefined;
            onChange(c.id, Number(input.value));
          }, 150);
        }
      });
    }
    box.append(label);
  }
}
