/**
 * Brings playground panels back with their runs: after a window reload, through a
 * WebviewPanelSerializer and the state the webview kept (the model file, the run folder's name,
 * whether it trained); and from the GenLab view's Open in Playground and Resume. Either way the
 * panel goes on from the run's latest checkpoint, with the same step and curves.
 */
import * as vscode from 'vscode';
import { readRunOrigin } from '../node/panelRun';
import { parsePanelState } from '../shared/protocol';
import { PlaygroundPanel } from './panel';
import { playgroundOptions, type PanelStart, type PlaygroundSource } from './panelSource';

/** Opens the model file at `uri` in its panel (`into`: a panel VS Code brought back) as `how` says, reading it first and reporting errors. */
export type OpenModelFile = (uri: vscode.Uri, how: PanelStart, into?: vscode.WebviewPanel) => Promise<void>;

/** The source a saved state or run.json names: "builtin", or a file: URI; anything else is refused. */
export function sourceOf(text: string): PlaygroundSource | undefined {
  if (text === 'builtin') return { kind: 'builtin' };
  try {
    const uri = vscode.Uri.parse(text, true);
    return uri.scheme === 'file' && uri.path.endsWith('.genlab.json') ? { kind: 'file', uri } : undefined;
  } catch {
    return undefined;
  }
}

/** Registers the serializer that brings panels back after a reload. */
export function registerPanelSerializer(context: vscode.ExtensionContext, log: vscode.OutputChannel, openFile: OpenModelFile): void {
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(PlaygroundPanel.viewType, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown): Promise<void> {
      const state = parsePanelState(raw);
      const source = state && sourceOf(state.source);
      if (!state || !source) {
        log.appendLine(`A playground panel could not be brought back: its saved state is ${JSON.stringify(raw)?.slice(0, 200)}`);
        panel.dispose();
        return;
      }
      panel.webview.options = playgroundOptions(context.extensionUri);
      const how: PanelStart = { autostart: state.running, run: state.run, resume: true };
      log.appendLine(`Bringing back the playground of ${state.source}, run ${state.run}${state.running ? ', training' : ''}`);
      if (source.kind === 'builtin') {
        PlaygroundPanel.adopt(panel, context, log, source, undefined, how);
        return;
      }
      await openFile(source.uri, how, panel);
    },
  }));
}

/** Opens a run of the GenLab view in the playground: paused (`autostart` false) or resumed. */
export async function openRun(context: vscode.ExtensionContext, log: vscode.OutputChannel, runDir: string, runName: string, autostart: boolean, openFile: OpenModelFile): Promise<void> {
  const origin = readRunOrigin(runDir);
  const source = origin && sourceOf(origin.source);
  if (!source) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The run {0} does not say which model file it trains (run.json), so it cannot open in the playground.', runName));
    return;
  }
  const how: PanelStart = { autostart, run: runName, resume: true };
  if (source.kind === 'builtin') PlaygroundPanel.show(context, log, source, undefined, how);
  else await openFile(source.uri, how);
}
