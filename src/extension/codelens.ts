/** "▶ Train" and "Open in Playground" above every model file. */
import * as vscode from 'vscode';

/** Offers the two run actions at the top of a `*.genlab.json` file. */
export class ModelFileCodeLens implements vscode.CodeLensProvider {
  /** Two lenses on the first line. */
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: vscode.l10n.t('▶ Train'), command: 'genlab.trainModelFile', arguments: [doc.uri] }),
      new vscode.CodeLens(top, { title: vscode.l10n.t('Open in Playground'), command: 'genlab.openInPlayground', arguments: [doc.uri] }),
    ];
  }
}
