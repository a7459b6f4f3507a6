#!/usr/bin/env bash
# GenLab playground: build the extension and open examples/ in VS Code with it.
#
#  * `code` (desktop VS Code) on PATH: installs dist/genlab.vsix into it and
#    opens examples/ (examples/.vscode/settings.json opens the playground).
#  * otherwise: installs code-server (VS Code in the browser, cached in
#    ${GENLAB_CACHE:-~/.cache/genlab}), installs the extension there and serves
#    examples/ on http://127.0.0.1:${GENLAB_PORT:-8080} until Ctrl+C.
#
# Env: GENLAB_PORT (default 8080), GENLAB_CACHE, GENLAB_USE_CODE_SERVER=1
# (use code-server even when `code` exists), GENLAB_SKIP_BUILD=1 (reuse dist/genlab.vsix),
# GENLAB_VSIX (install this .vsix instead of building one).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
EXAMPLES="$REPO/examples"
VSIX="${GENLAB_VSIX:-$REPO/dist/genlab.vsix}"
PORT="${GENLAB_PORT:-8080}"
CACHE="${GENLAB_CACHE:-$HOME/.cache/genlab}"

say() { echo "[playground] $*"; }

command -v node >/dev/null || { echo "Node.js 20 is required (https://nodejs.org)" >&2; exit 1; }
mkdir -p "$EXAMPLES"

if [[ ! -d node_modules ]]; then
  say "installing npm dependencies"
  if [[ -f package-lock.json ]]; then npm ci; else npm install; fi
fi
if [[ -z "${GENLAB_VSIX:-}" ]] && [[ "${GENLAB_SKIP_BUILD:-}" != 1 || ! -f "$VSIX" ]]; then
  say "building and packaging the extension"
  npm run package
fi

if [[ "${GENLAB_USE_CODE_SERVER:-}" != 1 ]] && command -v code >/dev/null 2>&1; then
  say "VS Code found: $(command -v code)"
  code --install-extension "$VSIX" --force
  code "$EXAMPLES"
  say "opened $EXAMPLES in VS Code (GenLab opens its playground on startup there)"
  exit 0
fi

say "no 'code' on PATH: using code-server (VS Code in the browser)"
bash "$REPO/scripts/ensure-system-deps.sh"
CODE_SERVER="$(bash "$REPO/scripts/install-code-server.sh" | tail -n 1)"

PG="$CACHE/playground"
USER_DATA="$PG/user-data"
EXTENSIONS="$PG/extensions"
mkdir -p "$USER_DATA/User" "$EXTENSIONS"
# code-server's own config/state go under the cache too, not ~/.config.
export XDG_CONFIG_HOME="$PG/xdg-config" XDG_DATA_HOME="$PG/xdg-data"

# Merge our settings into (possibly existing) User/settings.json.
node - "$USER_DATA/User/settings.json" <<'JS'
const fs = require('fs');
const file = process.argv[2];
let cur = {};
try { cur = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { /* missing or has comments: start over */ }
Object.assign(cur, {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
});
fs.writeFileSync(file, JSON.stringify(cur, null, 2) + '\n');
JS

say "installing $VSIX into code-server"
"$CODE_SERVER" --install-extension "$VSIX" --force --extensions-dir "$EXTENSIONS" --user-data-dir "$USER_DATA"

if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$PORT"; then
  echo "Port $PORT is already in use; pick another one: GENLAB_PORT=8081 npm run playground" >&2
  exit 1
fi

"$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" "$EXAMPLES" &
CS_PID=$!
cleanup() { kill "$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 60); do
  if node -e 'require("http").get(process.argv[1],r=>process.exit(r.statusCode===200?0:1)).on("error",()=>process.exit(1))' \
      "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
    break
  fi
  kill -0 "$CS_PID" 2>/dev/null || { echo "code-server exited" >&2; exit 1; }
  sleep 0.5
done

URL="http://127.0.0.1:$PORT/?folder=${EXAMPLES// /%20}"
echo
echo "=================================================================="
echo "  GenLab playground is running."
echo "  Open $URL in your browser"
echo "  (Ctrl+C here stops it)"
echo "=================================================================="
echo
wait "$CS_PID"
