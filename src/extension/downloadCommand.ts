/** "GenLab: Download Dataset": picks a set of the catalog, downloads it with cancellable progress and says how to use it. */
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, modify, parse } from 'jsonc-parser';
import type { DownloadableDataset } from '../core/modelfile/types';
import { DATASET_CATALOG, totalBytes, type DatasetEntry } from '../node/datasetCatalog';
import { datasetDir, DownloadCancelled, DownloadError, downloadDataset, GLOBAL_STORAGE_SUBDIR, isDownloaded, type DownloadProgress } from '../node/download';
import { isModelFile, RECHECK_COMMAND } from './diagnostics';

/** Megabytes (10^6 bytes) with one decimal. */
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** What each set holds, in the user's language. */
function summary(name: DownloadableDataset): string {
  return name === 'mnist-full'
    ? vscode.l10n.t('70 000 handwritten digits 0–9, 28×28 grey (60 000 train, 10 000 test), by {0}', DATASET_CATALOG[name].source)
    : vscode.l10n.t('70 000 images of clothing in 10 classes, 28×28 grey (60 000 train, 10 000 test), by {0}', DATASET_CATALOG[name].source);
}

/** The folder downloaded sets go to: `<globalStorage>/datasets`. */
export function extensionCacheDir(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, GLOBAL_STORAGE_SUBDIR);
}

/** Registers `genlab.downloadDataset` (optionally given a set's name, e.g. from a diagnostic's action). */
export function registerDownloadCommand(context: vscode.ExtensionContext, log: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('genlab.downloadDataset', (name?: unknown) =>
      downloadCommand(extensionCacheDir(context), log, typeof name === 'string' && name in DATASET_CATALOG ? (name as DownloadableDataset) : undefined)),
  );
}

/** Asks which set to download unless `preset` names one, downloads it and reports the outcome. */
async function downloadCommand(cacheDir: string, log: vscode.OutputChannel, preset: DownloadableDataset | undefined): Promise<void> {
  const entry = preset ? DATASET_CATALOG[preset] : await pickDataset(cacheDir);
  if (!entry) return;
  const mirror = vscode.workspace.getConfiguration('genlab').get<string>('datasetMirror', '').trim() || undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Downloading {0}', entry.label), cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return downloadDataset(entry.name, { cacheDir, mirror, signal: controller.signal, onProgress: progressReporter(entry, progress) });
      },
    );
    log.appendLine(`Downloaded ${entry.name} into ${result.dir} (fetched: ${result.downloaded.join(', ') || 'none'}; already there: ${result.skipped.join(', ') || 'none'})`);
    await vscode.commands.executeCommand(RECHECK_COMMAND); // "not downloaded yet" problems go away
    await reportSuccess(entry, result.dir);
  } catch (e) {
    if (e instanceof DownloadCancelled) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The download of {0} was cancelled; nothing half-written was kept.', entry.label));
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    log.appendLine(`Download of ${entry.name} failed: ${message}`);
    const help = vscode.l10n.t('How to use local files');
    const offline = e instanceof DownloadError && e.kind === 'offline';
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('GenLab could not download {0}: {1}', entry.label, message), ...(offline ? [help] : []));
    if (choice === help) await explainLocalFiles(entry, datasetDir(cacheDir, entry.name));
  }
}

/** A quick pick of the catalog: name, size, licence, and whether it is already downloaded. */
async function pickDataset(cacheDir: string): Promise<DatasetEntry | undefined> {
  const items = Object.values(DATASET_CATALOG).map((entry) => {
    const done = isDownloaded(cacheDir, entry.name);
    return {
      label: `${done ? '$(check) ' : ''}${entry.label}`,
      description: done
        ? vscode.l10n.t('{0} · {1} MB · {2} · downloaded', entry.name, mb(totalBytes(entry)), entry.licence)
        : vscode.l10n.t('{0} · {1} MB · {2}', entry.name, mb(totalBytes(entry)), entry.licence),
      detail: summary(entry.name),
      entry,
    };
  });
  const pick = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Choose a data set to download') });
  return pick?.entry;
}

/** Turns byte counts into withProgress increments (whole percent of the set) and "file 12.3 / 26.4 MB" messages. */
function progressReporter(entry: DatasetEntry, progress: vscode.Progress<{ message?: string; increment?: number }>): (p: DownloadProgress) => void {
  const all = totalBytes(entry);
  let shown = 0, lastMessage = '';
  return (p) => {
    const before = entry.files.slice(0, p.fileIndex).reduce((sum, f) => sum + f.bytes, 0);
    const size = entry.files[p.fileIndex].bytes;
    const fraction = Math.min(1, p.received / (p.total ?? size));
    const percent = Math.floor((100 * (before + fraction * size)) / all);
    const message = p.skipped
      ? vscode.l10n.t('{0} already downloaded', p.file)
      : vscode.l10n.t('{0} {1} / {2} MB', p.file, mb(p.received), mb(p.total ?? size));
    // Report whole percents only: hundreds of chunk callbacks would flood the notification.
    if (percent > shown || (p.skipped && message !== lastMessage)) {
      progress.report({ increment: Math.max(0, percent - shown), message });
      shown = Math.max(shown, percent);
      lastMessage = message;
    }
  };
}

/** Says where the set is and how to use it; offers to write it into the open model file. */
async function reportSuccess(entry: DatasetEntry, dir: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const insert = vscode.l10n.t('Insert into model file');
  const actions = editor && isModelFile(editor.document) ? [insert] : [];
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('{0} is ready in {1}. Use it in a model file with "data": "{2}".', entry.label, dir, entry.name),
    ...actions,
  );
  if (choice === insert && editor) await insertIntoModelFile(editor.document, entry.name);
}

/** Sets the model file's data to `name`: `"data": "name"`, or `data.dataset` (dropping path and labels) when data is an object. */
async function insertIntoModelFile(doc: vscode.TextDocument, name: DownloadableDataset): Promise<void> {
  const original = doc.getText();
  const formattingOptions = { insertSpaces: true, tabSize: 2 };
  const data: unknown = (parse(original, [], { allowTrailingComma: true }) as Record<string, unknown> | undefined)?.data;
  let text = original;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const key of ['path', 'labels']) text = applyEdits(text, modify(text, ['data', key], undefined, { formattingOptions }));
    text = applyEdits(text, modify(text, ['data', 'dataset'], name, { formattingOptions }));
  } else {
    text = applyEdits(text, modify(text, ['data'], name, { formattingOptions }));
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(original.length)), text);
  await vscode.workspace.applyEdit(edit);
}

/** Explains how to use files downloaded elsewhere, and offers to open the folder to put them in. */
async function explainLocalFiles(entry: DatasetEntry, dir: string): Promise<void> {
  const open = vscode.l10n.t('Open Folder');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Download the four files ({0}) on a computer that can reach the Internet, then either put them in {1}, or copy them next to your model file and write "data": { "path": "train-images-idx3-ubyte.gz", "labels": "train-labels-idx1-ubyte.gz" }.', entry.files.map((f) => f.name).join(', '), dir),
    { modal: true, detail: entry.mirrors.join('\n') },
    open,
  );
  if (choice !== open) return;
  mkdirSync(dir, { recursive: true });
  await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
}
