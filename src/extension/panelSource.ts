/**
 * What a playground panel trains and where: its source (the built-in VAE or a model file), how it
 * starts, its webview options, its runs folder, and its model file read and prepared.
 */
import * as vscode from 'vscode';
import { basename, dirname, join } from 'node:path';
import { RUNS_DIR } from '../node/runs';
import { prepareModel, type PreparedModel } from '../node/modelFile';
import type { DataEnvironment } from '../node/loadData';

/** What a panel trains: the built-in VAE, or the model file at `uri`. */
export type PlaygroundSource = { kind: 'builtin' } | { kind: 'file'; uri: vscode.Uri };

/** How a panel starts: training at once or not, in which run folder (a fresh one by default), and whether to go on from its checkpoint. */
export interface PanelStart {
  autostart: boolean;
  run?: string;
  resume?: boolean;
}

/** The key of a source's panel: one panel per model. */
export const keyOf = (s: PlaygroundSource) => (s.kind === 'builtin' ? 'builtin' : s.uri.toString());

/** The model's name in run folder names: the model file's name without .genlab.json. */
export const modelName = (s: PlaygroundSource) => (s.kind === 'file' ? basename(s.uri.fsPath).replace(/\.genlab\.json$/, '') : 'vae-playground');

/** The playground webview's options: scripts on, and only the extension's dist/ and media/ reachable. */
export function playgroundOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

/** Where a source's runs go: .genlab/runs in its workspace folder (or the first one), else the extension's storage. */
export function runsRootFor(context: vscode.ExtensionContext, source: PlaygroundSource): string {
  const folder = (source.kind === 'file' ? vscode.workspace.getWorkspaceFolder(source.uri) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? join(folder.uri.fsPath, RUNS_DIR) : join(context.globalStorageUri.fsPath, 'runs');
}

/** Reads and prepares a model file from its open editor, if any, else from disk; its data comes from `env`. */
export async function readModelFile(uri: vscode.Uri, extensionRoot: string, env: DataEnvironment): Promise<PreparedModel> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return prepareModel(doc.getText(), dirname(uri.fsPath), extensionRoot, basename(uri.fsPath).replace(/\.genlab\.json$/, ''), {}, env);
}
