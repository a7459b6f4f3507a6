#!/usr/bin/env bash
# Installs code-server (VS Code in the browser) from npm into a cache folder
# outside the repository and prints the path of its launcher as the LAST line
# of stdout:
#
#   CODE_SERVER="$(bash scripts/install-code-server.sh | tail -n1)"
#
# Cache folder: ${GENLAB_CACHE:-$HOME/.cache/genlab}/code-server-<version>.
# A completed install is reused (marker file .genlab-install-complete);
# a partial one is wiped and redone.
#
# Why this is more than `npm install code-server`:
#  * code-server's postinstall runs `npm install` in lib/vscode and
#    lib/vscode/extensions, which compiles native modules (node-pty, spdlog,
#    kerberos, argon2, ...) and needs build tools + headers
#    (scripts/ensure-system-deps.sh).
#  * @vscode/ripgrep's postinstall downloads rg from GitHub, which is not
#    always reachable. It first looks in
#    $TMPDIR/vscode-ripgrep-cache-<pkg version>/ripgrep-<rg version>-<target>.tar.gz,
#    so we seed that file with the system rg (Debian package ripgrep).
#  * npm >= 11 may skip dependency install scripts that are not approved.
#    We approve exactly the packages of code-server's shrinkwrap files that
#    have install scripts (allowScripts in the wrapper package.json for the
#    top-level install, --allow-scripts via the environment for the nested
#    installs) and then verify that the native modules were really built and
#    that the server really starts.
set -euo pipefail

CS_VERSION="${GENLAB_CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${GENLAB_CACHE:-$HOME/.cache/genlab}"
DEST="$CACHE_ROOT/code-server-$CS_VERSION"
MARKER="$DEST/.genlab-install-complete"
CS_PKG="$DEST/node_modules/code-server"
CS_BIN="$CS_PKG/out/node/entry.js"

log() { echo "[install-code-server] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ -f "$MARKER" && -f "$CS_BIN" ]]; then
  log "reusing $DEST"
  echo "$CS_BIN"
  exit 0
fi

# One installer at a time per cache folder (e.g. playground + e2e started together).
mkdir -p "$CACHE_ROOT"
if command -v flock >/dev/null 2>&1 && [[ -z "${GENLAB_CS_LOCKED:-}" ]]; then
  export GENLAB_CS_LOCKED=1
  exec flock "$CACHE_ROOT/.code-server-$CS_VERSION.lock" bash "$0" "$@"
fi
if [[ -f "$MARKER" && -f "$CS_BIN" ]]; then # finished by whoever held the lock
  log "reusing $DEST"
  echo "$CS_BIN"
  exit 0
fi

command -v node >/dev/null || die "node is required"
command -v npm >/dev/null || die "npm is required"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$NODE_MAJOR" != 20 ]]; then
  log "WARNING: code-server $CS_VERSION requires Node 20, found $(node -v); its postinstall will refuse."
fi

RG="$(command -v rg || true)"
[[ -n "$RG" ]] || die "ripgrep (rg) not found; run scripts/ensure-system-deps.sh first"

START=$(date +%s)
log "installing code-server@$CS_VERSION into $DEST (takes a few minutes: native modules are compiled)"
rm -rf "$DEST"
mkdir -p "$DEST"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/genlab-cs-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Common npm settings (environment, so the nested installs in code-server's
# postinstall see them too).
export npm_config_unsafe_perm=true
export npm_config_yes=true
export npm_config_fund=false
export npm_config_audit=false
export npm_config_update_notifier=false
# node-gyp: use the headers of the running Node when present instead of
# downloading them from nodejs.org.
if [[ -z "${npm_config_nodedir:-}" && "$(npm config get nodedir 2>/dev/null || true)" =~ ^(|null|undefined)$ ]]; then
  NODE_PREFIX="$(node -p 'require("path").resolve(process.execPath, "../..")')"
  if [[ -f "$NODE_PREFIX/include/node/node.h" ]]; then
    export npm_config_nodedir="$NODE_PREFIX"
  fi
fi

# 1. Fetch the package tarball (lands in the npm cache, so the install below
#    does not download it again) and read the shrinkwrap files from it.
log "fetching code-server@$CS_VERSION metadata"
(cd "$WORK" && npm pack "code-server@$CS_VERSION" --silent >/dev/null) || die "npm pack code-server@$CS_VERSION failed"
tar xzf "$WORK/code-server-$CS_VERSION.tgz" -C "$WORK" \
  package/npm-shrinkwrap.json package/lib/vscode/npm-shrinkwrap.json package/lib/vscode/extensions/npm-shrinkwrap.json

read -r RG_PKG_VERSION ALLOW < <(node -e '
  const fs = require("fs"), path = require("path");
  const root = process.argv[1];
  const files = ["npm-shrinkwrap.json", "lib/vscode/npm-shrinkwrap.json", "lib/vscode/extensions/npm-shrinkwrap.json"];
  const allow = new Set(["code-server"]);
  let rg = "";
  for (const f of files) {
    const lock = JSON.parse(fs.readFileSync(path.join(root, f), "utf8"));
    for (const [k, v] of Object.entries(lock.packages || {})) {
      if (!k) continue;
      const name = v.name || k.slice(k.lastIndexOf("node_modules/") + "node_modules/".length);
      if (name === "@vscode/ripgrep") rg = v.version;
      if (v.hasInstallScript && !v.dev) allow.add(name);
    }
  }
  console.log(rg || "unknown", [...allow].join(","));
' "$WORK/package") || die "could not read code-server's shrinkwrap files"
[[ "$RG_PKG_VERSION" != unknown ]] || die "could not find @vscode/ripgrep in code-server's shrinkwrap"
log "@vscode/ripgrep version: $RG_PKG_VERSION"
log "install scripts approved: $ALLOW"

# 2. Seed @vscode/ripgrep's download cache with the system rg.
case "$(uname -m)" in
  x86_64|amd64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64|arm64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
RG_RELEASE="v13.0.0-10"
if (cd "$WORK" && npm pack "@vscode/ripgrep@$RG_PKG_VERSION" --silent >/dev/null 2>&1); then
  tar xzf "$WORK"/vscode-ripgrep-*.tgz -C "$WORK" package/lib/postinstall.js 2>/dev/null || true
  v="$(sed -n "s/^const VERSION = '\(v[^']*\)'.*/\1/p" "$WORK/package/lib/postinstall.js" 2>/dev/null || true)"
  [[ -n "$v" ]] && RG_RELEASE="$v"
fi
RG_CACHE_DIR="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RG_PKG_VERSION"
RG_ARCHIVE="$RG_CACHE_DIR/ripgrep-$RG_RELEASE-$RG_TARGET.tar.gz"
if tar tzf "$RG_ARCHIVE" 2>/dev/null | grep -qxE '(\./)?rg'; then
  log "ripgrep archive already present: $RG_ARCHIVE"
else
  mkdir -p "$RG_CACHE_DIR" "$WORK/rg"
  cp "$RG" "$WORK/rg/rg"
  chmod 755 "$WORK/rg/rg"
  tar czf "$RG_ARCHIVE" -C "$WORK/rg" rg
  log "seeded $RG_ARCHIVE with $RG"
fi

# 3. Install.
cat > "$DEST/package.json" <<JSON
{
  "name": "genlab-code-server",
  "version": "0.0.0",
  "private": true,
  "description": "code-server for GenLab's e2e test and playground (generated by scripts/install-code-server.sh)",
  "dependencies": { "code-server": "$CS_VERSION" },
  "allowScripts": { $(echo "$ALLOW" | tr ',' '\n' | sed 's/.*/"&": true/' | paste -sd, -) }
}
JSON
# npm >= 11 skips dependency install scripts unless approved. The top-level
# install reads the allowScripts field above. The nested installs that
# code-server's postinstall runs in lib/vscode and lib/vscode/extensions have
# no allowScripts of their own, and npm refuses --allow-scripts (and its env
# form, which npm also exports to child processes when set in any npmrc) in
# project installs. So: (a) install without running any script, (b) drop a
# project .npmrc with the approvals into those folders, (c) `npm rebuild` to
# run the install scripts (code-server's postinstall -> nested npm installs).
log "npm install --ignore-scripts (log: $DEST/npm-install.log)"
if ! (cd "$DEST" && npm install --no-package-lock --ignore-scripts >"$DEST/npm-install.log" 2>&1); then
  tail -n 60 "$DEST/npm-install.log" >&2
  die "npm install failed (full log: $DEST/npm-install.log)"
fi
[[ -f "$CS_PKG/package.json" ]] || die "code-server was not unpacked into $CS_PKG"
for d in "$CS_PKG/lib/vscode" "$CS_PKG/lib/vscode/extensions"; do
  [[ -d "$d" ]] && echo "allow-scripts=$ALLOW" > "$d/.npmrc"
done
log "npm rebuild: running install scripts, compiling native modules (log: $DEST/npm-install.log)"
if ! (cd "$DEST" && npm rebuild --foreground-scripts >>"$DEST/npm-install.log" 2>&1); then
  tail -n 60 "$DEST/npm-install.log" >&2
  die "running code-server's install scripts failed (full log: $DEST/npm-install.log)"
fi

# 4. Verify that the install scripts really ran.
VS="$CS_PKG/lib/vscode"
problems=()
[[ -f "$CS_BIN" ]] || problems+=("missing $CS_BIN")
[[ -L "$VS/node_modules.asar" ]] || problems+=("postinstall did not run (no lib/vscode/node_modules.asar link)")
[[ -e "$VS/bin/remote-cli/code-server" ]] || problems+=("postinstall did not run (no lib/vscode/bin/remote-cli/code-server)")
[[ -x "$VS/node_modules/@vscode/ripgrep/bin/rg" ]] || problems+=("missing @vscode/ripgrep/bin/rg")
[[ -d "$VS/extensions/node_modules/typescript" ]] || problems+=("lib/vscode/extensions dependencies missing")
for mod in node-pty @vscode/spdlog kerberos native-watchdog @vscode/deviceid; do
  d="$VS/node_modules/$mod"
  if [[ -d "$d" ]] && [[ -z "$(find "$d" -name '*.node' -print -quit)" ]]; then
    problems+=("native module $mod was not built")
  fi
done
if [[ -z "$(find "$CS_PKG/node_modules/argon2" "$DEST/node_modules/argon2" -name '*.node' -print -quit 2>/dev/null)" ]]; then
  problems+=("native module argon2 was not built")
fi
if [[ ${#problems[@]} -gt 0 ]]; then
  printf '  - %s\n' "${problems[@]}" >&2
  log "npm install-scripts ls --all (install scripts held back, if any):"
  (cd "$DEST" && npm install-scripts ls --all >&2) || true
  (cd "$CS_PKG/lib/vscode" && npm install-scripts ls --all >&2) || true
  die "install incomplete (log: $DEST/npm-install.log)"
fi

# 5. Smoke test: the server must start and serve the workbench.
SMOKE="$WORK/smoke"
mkdir -p "$SMOKE/data" "$SMOKE/ext"
# Keep code-server from writing ~/.config/code-server and ~/.local/share/code-server.
export XDG_CONFIG_HOME="$SMOKE/xdg-config" XDG_DATA_HOME="$SMOKE/xdg-data"
"$CS_BIN" --version >&2 || die "code-server --version failed"
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$CS_BIN" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --user-data-dir "$SMOKE/data" --extensions-dir "$SMOKE/ext" --config "$SMOKE/config.yaml" \
  "$SMOKE" >"$SMOKE/server.log" 2>&1 &
CS_PID=$!
ok=""
for _ in $(seq 1 60); do
  if node -e '
    require("http").get(process.argv[1], r => { let b=""; r.on("data", c => b += c);
      r.on("end", () => process.exit(r.statusCode === 200 && /workbench/.test(b) ? 0 : 1)); })
      .on("error", () => process.exit(1));' "http://127.0.0.1:$PORT/?folder=$SMOKE" 2>/dev/null; then
    ok=1; break
  fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 1
done
kill "$CS_PID" 2>/dev/null || true
wait "$CS_PID" 2>/dev/null || true
if [[ -z "$ok" ]]; then
  cat "$SMOKE/server.log" >&2
  die "code-server did not start"
fi

date -u +%Y-%m-%dT%H:%M:%SZ > "$MARKER"
log "installed in $(( $(date +%s) - START ))s"
echo "$CS_BIN"
