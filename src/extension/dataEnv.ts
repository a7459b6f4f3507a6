/** Where the host lets a model file's data come from: its workspace folder, and the extension's download cache. */
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import { GLOBAL_STORAGE_SUBDIR } from '../node/download';
import type { DataEnvironment } from '../node/loadData';

/** The data environment of the model file at `uri`: its workspace folder (or its own folder outside any workspace) and the download cache. */
export function dataEnvironment(context: vscode.ExtensionContext, uri: vscode.Uri): DataEnvironment {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return {
    workspaceRoot: folder?.uri.scheme === 'file' ? folder.uri.fsPath : dirname(uri.fsPath),
    dataDir: join(context.globalStorageUri.fsPath, GLOBAL_STORAGE_SUBDIR),
  };
}

/** The limit above which GenLab asks before loading a data set, in bytes on the backend (setting genlab.dataMemoryLimitMB). */
export function dataMemoryLimitBytes(): number {
  const mb = vscode.workspace.getConfiguration('genlab').get<number>('dataMemoryLimitMB', 1024);
  return Math.max(1, mb) * 2 ** 20;
}
