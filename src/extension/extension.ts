/** GenLab's extension host entry: registers commands and opens the playground. */
import * as vscode from 'vscode';
import { PlaygroundPanel } from './panel';

/** Called by VS Code when the extension activates. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GenLab');
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('genlab.trainVae', () => {
      PlaygroundPanel.show(context, log);
    }),
  );
  if (vscode.workspace.getConfiguration('genlab').get<boolean>('openPlaygroundOnStartup', false)) {
    void vscode.commands.executeCommand('genlab.trainVae');
  }
}

/** Called by VS Code when the extension deactivates. */
export function deactivate(): void {
  PlaygroundPanel.active?.dispose();
}
