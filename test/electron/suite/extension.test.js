// In-host checks (run by test/electron/run.js inside desktop VS Code).
'use strict';

const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'genlab.genlab';
const COMMAND = 'genlab.trainVae';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

function webviewTabs() {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview);
}

describe('GenLab extension (desktop VS Code)', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    await ext.activate();
  });

  afterEach(async () => {
    const tabs = webviewTabs();
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  });

  it(`registers ${COMMAND}`, async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(COMMAND), `${COMMAND} missing from vscode.commands.getCommands()`);
  });

  it(`${COMMAND} opens a webview panel`, async () => {
    const before = webviewTabs().length;
    await vscode.commands.executeCommand(COMMAND);
    const tabs = await waitFor('a webview tab', () => (webviewTabs().length > before ? webviewTabs() : undefined));
    const tab = tabs[tabs.length - 1];
    console.log(`      webview tab: label=${JSON.stringify(tab.label)} viewType=${tab.input.viewType}`);
    assert.ok(tab.input instanceof vscode.TabInputWebview);
  });

  it('closing the panel disposes it, and the command opens a fresh one afterwards', async () => {
    await vscode.commands.executeCommand(COMMAND);
    const [tab] = await waitFor('a webview tab', () => (webviewTabs().length ? webviewTabs() : undefined));
    assert.ok(await vscode.window.tabGroups.close(tab), 'tabGroups.close() returned false');
    await waitFor('the webview tab to go away', () => webviewTabs().length === 0);

    // A panel that was not disposed properly (e.g. the extension still holds it
    // and calls reveal()) makes the next invocation throw "Webview is disposed".
    await vscode.commands.executeCommand(COMMAND);
    await waitFor('a new webview tab', () => webviewTabs().length === 1);
    await vscode.window.tabGroups.close(webviewTabs());
    await waitFor('the new webview tab to go away', () => webviewTabs().length === 0);
  });
});
