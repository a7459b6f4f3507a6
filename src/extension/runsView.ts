/**
 * The GenLab view in the activity bar: the runs of every workspace folder (.genlab/runs), with
 * their family, step and latest loss; selecting one shows its latest sample grid, and its
 * context menu reveals its folder or deletes it after confirmation.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { deleteRun, listRuns, RUNS_DIR, type RunSummary } from '../node/runs';
import { exportableNetworks, exportNetwork, metricsCsv } from '../node/runExport';

/** The view's id, as in package.json. */
export const RUNS_VIEW = 'genlab.runs';

/** One run in the tree. */
class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunSummary, readonly runsDir: string) {
    super(run.name, vscode.TreeItemCollapsibleState.None);
    const parts = [run.family, run.step !== undefined ? vscode.l10n.t('step {0}', run.step) : undefined, run.loss ? `${run.loss.term} ${run.loss.value.toPrecision(4)}` : undefined];
    this.description = parts.filter(Boolean).join(' · ');
    this.tooltip = run.dir;
    this.contextValue = 'genlab.run';
    this.resourceUri = vscode.Uri.file(run.dir);
    this.iconPath = new vscode.ThemeIcon('beaker');
    if (run.samples) this.command = { command: 'genlab.runs.showSamples', title: vscode.l10n.t('Show Samples'), arguments: [this] };
  }
}

/** Lists runs; refreshes when a run's files change. */
class RunsProvider implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the list may have changed. */
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .flatMap((f) => {
        const runsDir = join(f.uri.fsPath, RUNS_DIR);
        return listRuns(runsDir).map((r) => new RunItem(r, runsDir));
      });
  }
}

/** Opens run folder `dir` (named `name`) in the playground, training at once when `autostart`. */
export type OpenRun = (dir: string, name: string, autostart: boolean) => Promise<void>;

/** Registers the view, its commands and a watcher that keeps it current. */
export function registerRunsView(context: vscode.ExtensionContext, openRun: OpenRun): void {
  const provider = new RunsProvider();
  const watcher = vscode.workspace.createFileSystemWatcher('**/.genlab/runs/**');
  context.subscriptions.push(
    vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: provider, showCollapseAll: false }),
    watcher,
    watcher.onDidCreate(() => provider.refresh()),
    watcher.onDidDelete(() => provider.refresh()),
    watcher.onDidChange(() => provider.refresh()),
    vscode.commands.registerCommand('genlab.runs.refresh', () => provider.refresh()),
    vscode.commands.registerCommand('genlab.runs.showSamples', async (item?: RunItem) => {
      if (!item?.run.samples) return;
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(item.run.samples), { preview: true, viewColumn: vscode.ViewColumn.Beside });
    }),
    vscode.commands.registerCommand('genlab.runs.open', async (item?: RunItem) => {
      if (item) await openRun(item.run.dir, item.run.name, false);
    }),
    vscode.commands.registerCommand('genlab.runs.resume', async (item?: RunItem) => {
      if (item) await openRun(item.run.dir, item.run.name, true);
    }),
    vscode.commands.registerCommand('genlab.runs.reveal', async (item?: RunItem) => {
      if (item) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(item.run.dir));
    }),
    vscode.commands.registerCommand('genlab.runs.exportCsv', async (item?: RunItem) => {
      if (!item) return;
      const jsonl = join(item.run.dir, 'metrics.jsonl');
      if (!existsSync(jsonl)) {
        void vscode.window.showErrorMessage(vscode.l10n.t('The run {0} has no metrics yet.', item.run.name));
        return;
      }
      const target = join(item.run.dir, 'metrics.csv');
      writeFileSync(target, metricsCsv(readFileSync(jsonl, 'utf8')));
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(target));
    }),
    vscode.commands.registerCommand('genlab.runs.exportNetwork', async (item?: RunItem) => {
      if (!item) return;
      const nets = exportableNetworks(item.run.dir);
      if (!nets.length) {
        void vscode.window.showErrorMessage(vscode.l10n.t('The run {0} has no checkpoint to export a network from.', item.run.name));
        return;
      }
      const name = nets.length === 1 ? nets[0] : await vscode.window.showQuickPick(nets, { placeHolder: vscode.l10n.t('Choose the network to export') });
      if (!name) return;
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: vscode.l10n.t('Export Here'), defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      if (!picked?.[0]) return;
      const target = join(picked[0].fsPath, `${item.run.name}-${name}`);
      try {
        exportNetwork(item.run.dir, name, target);
        void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} to {1}: load it with tf.loadLayersModel.', name, target));
      } catch (e) {
        void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      }
    }),
    vscode.commands.registerCommand('genlab.runs.delete', async (item?: RunItem) => {
      if (!item) return;
      const del = vscode.l10n.t('Delete');
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the run {0} and everything in its folder (checkpoints, metrics, pictures)?', item.run.name), { modal: true }, del);
      if (choice !== del) return;
      try {
        deleteRun(item.runsDir, item.run.dir);
      } catch (e) {
        void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
      }
      provider.refresh();
    }),
  );
}
