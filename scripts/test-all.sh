#!/usr/bin/env bash
# Runs every test: typecheck, unit (Node), browser (headless Chromium), end to end (code-server)
# and the @vscode/test-electron suite (skipped, with its reason, where VS Code can't be had).
# Installs the Debian packages and code-server it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/ensure-system-deps.sh
exec node scripts/run-suites.mjs "$@"
