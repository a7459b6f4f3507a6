/** GenLab's extension host entry: commands, CodeLens, diagnostics and the playground panels. */
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import type { DataEnvironment } from '../node/loadData';
import { inspectData, ModelFileError, prepareModel } from '../node/modelFile';
import { dataEnvironment, dataMemoryLimitBytes } from './dataEnv';
import { registerDownloadCommand } from './downloadCommand';
import { registerRunsView } from './runsView';
import { ModelFileCodeLens } from './codelens';
import { isModelFile, registerDiagnostics } from './diagnostics';
import { PlaygroundPanel } from './panel';
import { readModelFile, type PanelStart } from './panelSource';
import { openRun, registerPanelSerializer } from './restore';
import { loadTemplates } from './templates';

/** Called by VS Code when the extension activates. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GenLab');
  const root = context.extensionUri.fsPath;

  /** Reads a model file and shows it in its panel (`into`: a panel brought back after a reload). */
  const runFile = async (arg: unknown, start: boolean | PanelStart, into?: vscode.WebviewPanel) => {
    const uri = arg instanceof vscode.Uri ? arg : await pickModelFile();
    if (!uri) return;
    const env = dataEnvironment(context, uri);
    const how: PanelStart = typeof start === 'boolean' ? { autostart: start } : start;
    const source = { kind: 'file', uri } as const;
    try {
      const bytes = await confirmDataSize(uri, env);
      if (bytes === false) return;
      const prepared = bytes !== undefined && bytes > SHOW_PROGRESS_BYTES
        ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('GenLab: reading the data of {0}…', basename(uri.fsPath)) }, async () => {
          await new Promise((r) => setTimeout(r, 100)); // let the notification show before the (synchronous) read
          return readModelFile(uri, root, env);
        })
        : await readModelFile(uri, root, env);
      if (into) {
        PlaygroundPanel.adopt(into, context, log, source, prepared, how);
        return;
      }
      const existing = PlaygroundPanel.find(source);
      if (existing && how.run === undefined) await existing.applyEdit(prepared);
      PlaygroundPanel.show(context, log, source, prepared, how);
    } catch (e) {
      if (into) PlaygroundPanel.adopt(into, context, log, source, undefined, how);
      await reportModelFileError(context, log, uri, e);
    }
  };

  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('genlab.trainVae', () => {
      PlaygroundPanel.show(context, log, { kind: 'builtin' }, undefined, true);
    }),
    vscode.commands.registerCommand('genlab.trainModelFile', (uri?: unknown) => runFile(uri, true)),
    vscode.commands.registerCommand('genlab.openInPlayground', (uri?: unknown) => runFile(uri, false)),
    vscode.commands.registerCommand('genlab.newModel', () => newModel(root)),
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.genlab.json' }, new ModelFileCodeLens()),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      const panel = isModelFile(doc) ? PlaygroundPanel.find({ kind: 'file', uri: doc.uri }) : undefined;
      if (!panel) return;
      try {
        const prepared = prepareModel(doc.getText(), dirname(doc.uri.fsPath), root, basename(doc.uri.fsPath).replace(/\.genlab\.json$/, ''), {}, dataEnvironment(context, doc.uri));
        // A panel that only showed why the file could not train trains it now that it can.
        if (panel.showsOnlyProblems) PlaygroundPanel.show(context, log, { kind: 'file', uri: doc.uri }, prepared, true);
        else void panel.applyEdit(prepared);
      } catch (e) {
        void reportModelFileError(context, log, doc.uri, e);
      }
    }),
  );
  registerDiagnostics(context);
  registerDownloadCommand(context, log);
  registerRunsView(context, (dir, name, autostart) => openRun(context, log, dir, name, autostart, runFile));
  registerPanelSerializer(context, log, runFile);
  if (vscode.workspace.getConfiguration('genlab').get<boolean>('openPlaygroundOnStartup', false)) {
    void vscode.commands.executeCommand('genlab.trainVae');
  }
}

/** The model file to run: the active editor's, else one chosen from the open ones or the workspace. */
async function pickModelFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isModelFile(active)) return active.uri;
  const open = vscode.workspace.textDocuments.filter(isModelFile).map((d) => d.uri);
  const candidates = open.length ? open : await vscode.workspace.findFiles('**/*.genlab.json', '**/node_modules/**', 50);
  if (candidates.length === 0) {
    const create = vscode.l10n.t('New Model…');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('No model file (*.genlab.json) is open or in the workspace.'), create);
    if (choice === create) await vscode.commands.executeCommand('genlab.newModel');
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const pick = await vscode.window.showQuickPick(candidates.map((uri) => ({ label: basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })), {
    placeHolder: vscode.l10n.t('Choose the model file to train'),
  });
  return pick?.uri;
}

/** Data larger than this (on the backend) is read under a progress notification. */
const SHOW_PROGRESS_BYTES = 32 * 2 ** 20;

/**
 * Asks before loading data larger than the limit (setting genlab.dataMemoryLimitMB) rather than
 * freezing. Returns false when the user declined, else the data's size on the backend when known.
 */
async function confirmDataSize(uri: vscode.Uri, env: DataEnvironment): Promise<number | undefined | false> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const { bytes } = inspectData(doc.getText(), dirname(uri.fsPath), env);
  const limit = dataMemoryLimitBytes();
  if (bytes === undefined || bytes <= limit) return bytes;
  const mb = (n: number) => String(Math.round(n / 2 ** 20));
  const load = vscode.l10n.t('Load anyway');
  const settings = vscode.l10n.t('Change the limit');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('The data of {0} takes about {1} MB on the GPU, more than the limit of {2} MB (genlab.dataMemoryLimitMB). Loading it may make VS Code slow or run out of memory.', basename(uri.fsPath), mb(bytes), mb(limit)),
    { modal: true },
    load,
    settings,
  );
  if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'genlab.dataMemoryLimitMB');
  return choice === load ? bytes : false;
}

/**
 * Tells the user why a model file cannot train: in its panel (each error with its line), and in
 * a notification that leads to the Problems panel.
 */
async function reportModelFileError(context: vscode.ExtensionContext, log: vscode.OutputChannel, uri: vscode.Uri, e: unknown): Promise<void> {
  const name = basename(uri.fsPath);
  const message = e instanceof Error ? e.message : String(e);
  let lines = [message];
  if (e instanceof ModelFileError) {
    const doc = await vscode.workspace.openTextDocument(uri);
    lines = e.problems.map((p) => vscode.l10n.t('Line {0}: {1}', doc.positionAt(p.offset).line + 1, p.message));
  }
  log.appendLine(`${name} cannot train: ${lines.join(' | ')}`);
  PlaygroundPanel.showProblems(context, log, { kind: 'file', uri }, lines);
  if (e instanceof ModelFileError) {
    const show = vscode.l10n.t('Show Problems');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('{0} has {1} error(s) and cannot train yet: {2}', name, e.problems.length, e.message), show);
    if (choice === show) await vscode.commands.executeCommand('workbench.actions.view.problems');
  } else {
    void vscode.window.showErrorMessage(vscode.l10n.t('GenLab could not train {0}: {1}', name, message));
  }
}

/** "GenLab: New Model…": writes a template into the workspace and opens it. */
async function newModel(root: string): Promise<void> {
  const templates = loadTemplates(root);
  const pick = await vscode.window.showQuickPick(templates.map((t) => ({ label: t.label, description: t.description, t })), { placeHolder: vscode.l10n.t('Choose a model family') });
  if (!pick) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: pick.t.body });
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage(vscode.l10n.t('Save this file with a name ending in .genlab.json to train it.'));
    return;
  }
  const name = await vscode.window.showInputBox({
    prompt: vscode.l10n.t('File name for the new model'),
    value: 'my-model.genlab.json',
    validateInput: (v) => (/^[\w.-]+\.genlab\.json$/.test(v) ? undefined : vscode.l10n.t('Use letters, digits, "-", "_" or "." and end with .genlab.json')),
  });
  if (!name) return;
  const uri = vscode.Uri.joinPath(folder.uri, name);
  try {
    await vscode.workspace.fs.stat(uri);
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} already exists; choose another name.', name));
    return;
  } catch {
    // does not exist: good
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(pick.t.body));
  await vscode.window.showTextDocument(uri);
}

/** Called by VS Code when the extension deactivates. */
export function deactivate(): void {
  PlaygroundPanel.all().forEach((p) => p.dispose());
}
