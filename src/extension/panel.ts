/**
 * The playground panels' lifecycle (after vscode-extension-samples' webview-sample): one panel
 * per model (the built-in VAE, or a model file), revealed if it exists, created beside the
 * active editor otherwise, disposed with everything it registered. The webview reaches only
 * the extension's dist/ and media/ folders.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { writeExport, writeSamplesPreview } from '../node/runs';
import { freshRunName, PanelRun } from '../node/panelRun';
import { MAX_PROBLEMS, parseWebviewMessage, type BackendName, type HostMessage, type ResumeData, type WebviewMessage } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/strings';
import { loadBundledMnist } from '../node/bundledData';
import { classifySpecChange, type PreparedModel } from '../node/modelFile';
import { VAE_DEFAULTS } from '../core/families/vaeConfig';
import type { ModelSpec } from '../core/modelfile/types';
import type { DataSet } from '../core/data/dataset';
import { dataEnvironment } from './dataEnv';
import { buildPlaygroundHtml, makeNonce } from './html';
import { keyOf, modelName, playgroundOptions, readModelFile, runsRootFor, type PanelStart, type PlaygroundSource } from './panelSource';

/** A panel that trains one model in a webview. */
export class PlaygroundPanel {
  /** The view type, also used by tests to find the panel. */
  static readonly viewType = 'genlab.playground';
  private static readonly open = new Map<string, PlaygroundPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private spec: ModelSpec | undefined;
  /** The data until the webview has it: the host then lets go of it, so that it is held once. */
  private data: DataSet | undefined;
  private dataName: string | undefined;
  /** This panel's run folder (made when first used). */
  readonly run: PanelRun;
  /** Why the model file cannot train, while it cannot. */
  private problems: string[] | undefined;
  /** Whether the webview was sent its init message (a second "ready" means it started again). */
  private initSent = false;
  /** The last status the webview reported. */
  lastStatus: Extract<WebviewMessage, { type: 'status' }> | undefined;

  /** Shows the playground for `source`, creating it beside the active editor if needed. */
  static show(context: vscode.ExtensionContext, log: vscode.OutputChannel, source: PlaygroundSource, prepared: PreparedModel | undefined, start: boolean | PanelStart): PlaygroundPanel {
    const how: PanelStart = typeof start === 'boolean' ? { autostart: start } : start;
    const existing = PlaygroundPanel.open.get(keyOf(source));
    const otherRun = how.run !== undefined && existing?.run.name !== how.run;
    if (existing && ((prepared && existing.showsOnlyProblems) || otherRun)) existing.dispose(); // it can train now, or another run was asked for: start afresh
    else if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      return existing;
    }
    const root = context.extensionUri;
    const title = source.kind === 'builtin'
      ? vscode.l10n.t('GenLab: VAE playground')
      : vscode.l10n.t('GenLab: {0}', basename(source.uri.fsPath));
    const panel = vscode.window.createWebviewPanel(PlaygroundPanel.viewType, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      ...playgroundOptions(root),
      retainContextWhenHidden: true,
    });
    return PlaygroundPanel.adopt(panel, context, log, source, prepared, how);
  }

  /** Makes `panel` (new, or brought back by VS Code after a reload) the playground for `source`. */
  static adopt(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, log: vscode.OutputChannel, source: PlaygroundSource, prepared: PreparedModel | undefined, how: PanelStart): PlaygroundPanel {
    const created = new PlaygroundPanel(panel, context, log, source, prepared, how);
    PlaygroundPanel.open.set(keyOf(source), created);
    return created;
  }

  /**
   * Shows why the model file of `source` cannot train, in its panel: above the running model
   * when one is open, else in a new panel that shows only that until the file trains.
   */
  static showProblems(context: vscode.ExtensionContext, log: vscode.OutputChannel, source: Extract<PlaygroundSource, { kind: 'file' }>, problems: string[]): PlaygroundPanel {
    const existing = PlaygroundPanel.open.get(keyOf(source));
    const panel = existing ?? PlaygroundPanel.show(context, log, source, undefined, false);
    panel.problems = problems.slice(0, MAX_PROBLEMS);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside, true);
      void existing.postProblems();
    }
    return panel;
  }

  /** The open panel for `source`, if any. */
  static find(source: PlaygroundSource): PlaygroundPanel | undefined {
    return PlaygroundPanel.open.get(keyOf(source));
  }

  /** Every open panel. */
  static all(): PlaygroundPanel[] {
    return [...PlaygroundPanel.open.values()];
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
    readonly source: PlaygroundSource,
    prepared: PreparedModel | undefined,
    private readonly how: PanelStart,
  ) {
    const webview = panel.webview;
    const root = context.extensionUri;
    this.spec = prepared?.spec;
    const runs = runsRootFor(context, source);
    this.run = new PanelRun(runs, how.run ?? freshRunName(runs, modelName(source)), modelName(source), source.kind === 'file' ? source.uri.toString() : 'builtin', prepared?.spec);
    this.data = prepared?.data;
    this.dataName = prepared?.data.name;
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'icon.png');
    webview.html = buildPlaygroundHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'playground.css')).toString(),
      lang: vscode.env.language,
      title: panel.title,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Whether this panel has no model to train, only problems to show. */
  get showsOnlyProblems(): boolean {
    return this.source.kind === 'file' && !this.spec;
  }

  private postProblems(): Thenable<boolean> {
    const name = this.source.kind === 'file' ? basename(this.source.uri.fsPath) : '';
    return this.post({
      type: 'cannotTrain',
      title: this.panel.title,
      heading: vscode.l10n.t('{0} cannot train yet', name),
      problems: this.problems ?? [],
      hint: vscode.l10n.t('Fix the model file (the Problems panel shows where), save it, and press ▶ Train again.'),
    });
  }

  /** Applies an edited model file: the learning rate live, anything else after the user agrees. */
  async applyEdit(edited: PreparedModel): Promise<void> {
    if (!this.spec) return;
    const change = classifySpecChange(this.spec, edited.spec);
    if (change.kind === 'none') return;
    if (change.kind === 'optimizer') {
      this.spec = edited.spec;
      await this.post({ type: 'setOptimizer', optimizer: change.optimizer });
      void vscode.window.showInformationMessage(vscode.l10n.t('GenLab: optimizer settings applied without restarting (learning rate {0}).', String(change.optimizer.learningRate)));
      return;
    }
    const restart = vscode.l10n.t('Restart with changes');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('The model file changed while it trains.'), restart);
    if (choice !== restart) return;
    if (edited.data.name !== this.dataName) {
      // New data means a new upload: start the panel afresh.
      this.dispose();
      PlaygroundPanel.show(this.context, this.log, this.source, edited, true);
      return;
    }
    this.spec = edited.spec;
    await this.post({ type: 'restart', title: this.panel.title, spec: edited.spec });
  }

  private post(msg: HostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(msg);
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.appendLine(`Ignored a malformed message from the playground: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        if (this.showsOnlyProblems) void this.postProblems();
        else {
          // A webview that starts again (it crashed, or was reloaded) goes on from the run's last checkpoint.
          if (this.initSent) Object.assign(this.how, { resume: true, autostart: this.lastStatus?.running ?? this.how.autostart });
          this.initSent = true;
          void this.sendInit();
        }
        break;
      case 'status':
        this.lastStatus = msg;
        break;
      case 'backendFallback':
        this.log.appendLine(`Backend fallback to ${msg.backend}: ${msg.reason}`);
        break;
      case 'exportPng':
        void this.saveExport(msg.view, msg.step, msg.png);
        break;
      case 'runStarted':
        this.run.started(msg.spec);
        break;
      case 'metrics':
        this.guard(() => this.run.metrics(msg.steps, msg.epochs), 'metrics');
        break;
      case 'checkpoint':
        this.guard(() => {
          const step = this.run.saveCheckpoint(msg.checkpoint);
          if (msg.samplesPng) writeSamplesPreview(this.run.dir, new Uint8Array(Buffer.from(msg.samplesPng, 'base64')));
          this.log.appendLine(`Checkpoint at step ${step} (${msg.reason}) saved in ${this.run.dir}`);
          void this.post({ type: 'checkpointSaved', step, run: this.run.name });
        }, 'checkpoint', msg.checkpoint.state.trainer.step);
        break;
      case 'error':
        this.log.appendLine(`Playground error: ${msg.message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('GenLab: {0}', msg.message));
        break;
    }
  }

  /** Runs `write` (a write into the run folder); a failure is logged and, for a checkpoint at `step`, told to the webview. */
  private guard(write: () => void, what: 'metrics' | 'checkpoint', step?: number): void {
    try {
      write();
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.log.appendLine(`Could not save the ${what} in ${this.run.dir}: ${reason}`);
      if (what === 'checkpoint') void this.post({ type: 'checkpointSaved', step: step ?? 0, run: this.run.name, error: vscode.l10n.t('GenLab could not save the checkpoint: {0}', reason) });
    }
  }

  private async saveExport(view: string, step: number, base64: string): Promise<void> {
    try {
      const file = writeExport(this.run.ensure(), view, step, new Uint8Array(Buffer.from(base64, 'base64')));
      this.log.appendLine(`Exported ${file}`);
      const open = vscode.l10n.t('Open');
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', vscode.workspace.asRelativePath(file)), open);
      if (choice === open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('GenLab could not save the picture: {0}', e instanceof Error ? e.message : String(e)));
    }
  }

  private async sendInit(): Promise<void> {
    try {
      const root = this.context.extensionUri.fsPath;
      // A webview that starts again (it crashed, or VS Code reloaded it) gets the data read afresh.
      const set = this.data
        ?? (this.source.kind === 'file' ? (await readModelFile(this.source.uri, root, dataEnvironment(this.context, this.source.uri))).data : loadBundledMnist(root));
      const disabledBackends = vscode.workspace.getConfiguration('genlab').get<BackendName[]>('disabledBackends', []);
      const { latentDim, hiddenUnits, batchSize, learningRate, beta } = VAE_DEFAULTS;
      const resume = this.resumeData();
      await this.post({
        type: 'init',
        title: this.panel.title,
        hyperparameters: { latentDim, hiddenUnits, batchSize, learningRate, beta },
        dataset: set,
        strings: Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, vscode.l10n.t(s)])),
        wasmBase: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'wasm')).toString() + '/',
        disabledBackends,
        ...(this.spec ? { spec: this.spec } : {}),
        autostart: this.how.autostart,
        checkpointEverySeconds: Math.max(0, vscode.workspace.getConfiguration('genlab').get<number>('checkpointIntervalSeconds', 60)),
        panelState: { source: this.run.source, run: this.run.name, running: this.how.autostart },
        ...(resume ? { resume } : {}),
      });
      this.data = undefined;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.log.appendLine(`Could not start the playground: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('GenLab could not load its bundled data: {0}', reason));
    }
  }

  /** The run's checkpoint to go on from, when this panel was asked to resume and one fits the model. */
  private resumeData(): ResumeData | undefined {
    if (!this.how.resume) return undefined;
    this.how.resume = false;
    this.spec ??= this.run.savedSpec();
    if (!this.spec) return undefined;
    try {
      return this.run.resumeData(this.spec);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.log.appendLine(`Could not resume ${this.run.dir}: ${reason}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('GenLab could not go on with run {0}, so training starts afresh: {1}', this.run.name, reason));
      return undefined;
    }
  }

  /** Closes the panel and frees what it registered. */
  dispose(): void {
    this.run.dispose();
    if (PlaygroundPanel.open.get(keyOf(this.source)) === this) PlaygroundPanel.open.delete(keyOf(this.source));
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
