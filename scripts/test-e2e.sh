#!/usr/bin/env bash
# End-to-end test: packaged extension in code-server (VS Code 1.100 in the
# browser), driven by headless Chromium through playwright-core.
#   1. system packages (chromium, ripgrep, build tools)  scripts/ensure-system-deps.sh
#   2. code-server 4.100.3 in ~/.cache/genlab            scripts/install-code-server.sh
#   3. npm run package -> dist/genlab.vsix               (skip: GENLAB_E2E_SKIP_PACKAGE=1)
#   4. mocha test/e2e/*.e2e.ts                            (screenshot: test-results/e2e-train-vae.png)
# Env passed through to the test: GENLAB_E2E_STEPS, GENLAB_E2E_TRAIN_TIMEOUT_MS,
# GENLAB_E2E_EXPECT_BACKEND, GENLAB_VSIX, GENLAB_CHROMIUM, GENLAB_E2E_KEEP.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh

if [[ ! -d node_modules ]]; then
  if [[ -f package-lock.json ]]; then npm ci; else npm install; fi
fi

if [[ -z "${GENLAB_CODE_SERVER:-}" ]]; then
  GENLAB_CODE_SERVER="$(bash scripts/install-code-server.sh | tail -n 1)"
fi
export GENLAB_CODE_SERVER
echo "[test-e2e] code-server: $GENLAB_CODE_SERVER"

if [[ "${GENLAB_E2E_SKIP_PACKAGE:-}" != 1 ]]; then
  npm run package
fi

exec npx mocha --config test/e2e/.mocharc.json "$@"
