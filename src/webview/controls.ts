/**
 * The panel's controls, built on @vscode/webview-ui-toolkit so they follow the VS Code theme.
 * Everything else imports controls from here only, so the toolkit can be swapped later.
 */
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeTextField } from '@vscode/webview-ui-toolkit';

let registered = false;
function register(): void {
  if (!registered) {
    provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField());
    registered = true;
  }
}

/** A button element of the toolkit. */
export type Button = HTMLElement & { disabled: boolean };
/** A text field element of the toolkit. */
export type TextField = HTMLElement & { value: string; disabled: boolean };

/** Creates a button; `secondary` buttons are for less important actions. */
export function button(id: string, label: string, onClick: () => void, secondary = false): Button {
  register();
  const b = document.createElement('vscode-button') as Button;
  b.id = id;
  b.textContent = label;
  if (secondary) b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', () => {
    if (!b.disabled) onClick();
  });
  return b;
}

/** Creates a labelled text field for a number; `onCommit` runs on Enter or when focus leaves. */
export function numberField(id: string, label: string, value: number, onCommit?: (field: TextField) => void): TextField {
  register();
  const f = document.createElement('vscode-text-field') as TextField;
  f.id = id;
  f.setAttribute('size', '8');
  f.setAttribute('value', String(value));
  f.value = String(value);
  f.textContent = label;
  if (onCommit) {
    f.addEventListener('change', () => onCommit(f));
    f.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') onCommit(f);
    });
  }
  return f;
}

/** Reads a field as a number within [min, max] (integer if asked); undefined if invalid. */
export function readNumber(field: TextField, min: number, max: number, integer = false): number | undefined {
  const v = Number(field.value.trim());
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) return undefined;
  return v;
}
