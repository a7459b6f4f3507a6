// Entry point @vscode/test-electron loads inside the VS Code extension host:
// runs every *.test.js next to this file with mocha (BDD, spec reporter).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} electron test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
};
