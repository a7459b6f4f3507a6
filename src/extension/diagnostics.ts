/** Problems in model files, shown in the Problems panel and updated as the user types. */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { checkModelFileText } from '../node/modelFile';
import { dataEnvironment } from './dataEnv';

/** Whether `doc` is a GenLab model file. */
export function isModelFile(doc: vscode.TextDocument): boolean {
  return doc.uri.path.endsWith('.genlab.json');
}

const DEBOUNCE_MS = 250;

/** An internal command (not in the palette) that checks every open model file again. */
export const RECHECK_COMMAND = 'genlab.recheckModelFiles';

/** Keeps a diagnostic collection in step with every open model file. */
export function registerDiagnostics(context: vscode.ExtensionContext): vscode.DiagnosticCollection {
  const collection = vscode.languages.createDiagnosticCollection('genlab');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const check = (doc: vscode.TextDocument) => {
    if (!isModelFile(doc)) return;
    const dir = doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : '';
    const problems = checkModelFileText(doc.getText(), dir, doc.uri.scheme === 'file' ? dataEnvironment(context, doc.uri) : {});
    collection.set(doc.uri, problems.map((p) => {
      const range = new vscode.Range(doc.positionAt(p.offset), doc.positionAt(p.offset + p.length));
      const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'genlab';
      return d;
    }));
  };
  const schedule = (doc: vscode.TextDocument) => {
    if (!isModelFile(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      check(doc);
    }, DEBOUNCE_MS));
  };

  context.subscriptions.push(
    collection,
    // Data can change outside the model file (a download finished, images were added): check every open model file again.
    vscode.commands.registerCommand(RECHECK_COMMAND, () => vscode.workspace.textDocuments.forEach(check)),
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
  vscode.workspace.textDocuments.forEach(check);
  return collection;
}
