/** Why the model file cannot train, shown at the top of the panel (the data cannot be read, or the file has errors). */
import type { HostMessage } from '../shared/protocol';

type CannotTrain = Extract<HostMessage, { type: 'cannotTrain' }>;

/**
 * Shows `msg` in a `#problems` alert above the panel's content, replacing any earlier one. When
 * training has not started, the panel shows nothing else; when it has, training goes on below.
 */
export function showCannotTrain(msg: CannotTrain, started: boolean): void {
  document.title = msg.title;
  document.getElementById('problems')?.remove();
  const box = document.createElement('section');
  box.id = 'problems';
  box.className = 'warning problems';
  box.setAttribute('role', 'alert');
  const heading = document.createElement('h2');
  heading.textContent = msg.heading;
  const list = document.createElement('ul');
  for (const problem of msg.problems) {
    const item = document.createElement('li');
    item.textContent = problem;
    list.append(item);
  }
  const hint = document.createElement('p');
  hint.textContent = msg.hint;
  box.append(heading, list, hint);
  const app = document.getElementById('app');
  if (!started && app) {
    app.textContent = '';
    app.removeAttribute('aria-busy');
  }
  document.body.prepend(box);
}

/** Removes the alert, once the model file trains again. */
export function clearCannotTrain(): void {
  document.getElementById('problems')?.remove();
}
