/**
 * The playground panel's lifecycle (after vscode-extension-samples' webview-sample): one panel,
 * revealed if it exists, created beside the active editor otherwise, disposed with everything
 * it registered. The webview reaches only the extension's dist/ and media/ folders.
 */
import * as vscode from 'vscode';
import { parseWebviewMessage, type BackendName, type HostMessage, type VaeHyperparameters, type WebviewMessage } from '../shared/protocol';
import { WEBVIEW_STRINGS } from '../shared/strings';
import { loadBundledMnist } from '../node/bundledData';
import { VAE_DEFAULTS } from '../core/families/vaeConfig';
import { buildPlaygroundHtml, makeNonce } from './html';

/** The panel that trains a model in a webview. */
export class PlaygroundPanel {
  /** The view type, also used by tests to find the panel. */
  static readonly viewType = 'genlab.playground';
  private static current: PlaygroundPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The last status the webview reported. */
  lastStatus: Extract<WebviewMessage, { type: 'status' }> | undefined;

  /** Shows the playground, creating it beside the active editor if needed. */
  static show(context: vscode.ExtensionContext, log: vscode.OutputChannel): PlaygroundPanel {
    if (PlaygroundPanel.current) {
      PlaygroundPanel.current.panel.reveal(vscode.ViewColumn.Beside);
      return PlaygroundPanel.current;
    }
    const root = context.extensionUri;
    const panel = vscode.window.createWebviewPanel(
      PlaygroundPanel.viewType,
      vscode.l10n.t('GenLab: VAE playground'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(root, 'dist'), vscode.Uri.joinPath(root, 'media')],
      },
    );
    PlaygroundPanel.current = new PlaygroundPanel(panel, context, log);
    return PlaygroundPanel.current;
  }

  /** The open panel, if any. */
  static get active(): PlaygroundPanel | undefined {
    return PlaygroundPanel.current;
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly context: vscode.ExtensionContext, private readonly log: vscode.OutputChannel) {
    const webview = panel.webview;
    const root = context.extensionUri;
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

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.appendLine(`Ignored a malformed message from the playground: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'ready':
        void this.sendInit();
        break;
      case 'status':
        this.lastStatus = msg;
        break;
      case 'backendFallback':
        this.log.appendLine(`Backend fallback to ${msg.backend}: ${msg.reason}`);
        break;
      case 'error':
        this.log.appendLine(`Playground error: ${msg.message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('GenLab: {0}', msg.message));
        break;
    }
  }

  private async sendInit(): Promise<void> {
    try {
      const set = loadBundledMnist(this.context.extensionUri.fsPath);
      const config = vscode.workspace.getConfiguration('genlab');
      const disabledBackends = config.get<BackendName[]>('disabledBackends', []);
      const hyperparameters: VaeHyperparameters = {
        latentDim: VAE_DEFAULTS.latentDim, hiddenUnits: VAE_DEFAULTS.hiddenUnits,
        batchSize: VAE_DEFAULTS.batchSize, learningRate: VAE_DEFAULTS.learningRate, beta: VAE_DEFAULTS.beta,
      };
      const msg: HostMessage = {
        type: 'init',
        title: this.panel.title,
        hyperparameters,
        dataset: { name: set.name, count: set.count, height: set.height, width: set.width, pixels: set.pixels, labels: set.labels },
        strings: Object.fromEntries(WEBVIEW_STRINGS.map((s) => [s, vscode.l10n.t(s)])),
        wasmBase: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'wasm')).toString() + '/',
        disabledBackends,
      };
      await this.panel.webview.postMessage(msg);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.log.appendLine(`Could not start the playground: ${reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('GenLab could not load its bundled data: {0}', reason));
    }
  }

  /** Closes the panel and frees what it registered. */
  dispose(): void {
    if (PlaygroundPanel.current === this) PlaygroundPanel.current = undefined;
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }
}
