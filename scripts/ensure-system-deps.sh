#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages GenLab's e2e test and playground need
# (Chromium for Playwright, ripgrep for code-server, Fashion-MNIST for the download tests, and the toolchain + headers
# code-server's native modules compile against). Idempotent: when everything is
# already installed it only runs dpkg-query and exits.
set -euo pipefail

PKGS=(chromium ripgrep dataset-fashion-mnist build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)

missing=()
for p in "${PKGS[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
  if [[ "$status" != "installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "[ensure-system-deps] all present: ${PKGS[*]}"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[ensure-system-deps] missing packages (${missing[*]}) and apt-get is unavailable; install them manually." >&2
  exit 1
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "[ensure-system-deps] missing packages (${missing[*]}); run as root or install sudo." >&2
    exit 1
  fi
fi

echo "[ensure-system-deps] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -y
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "[ensure-system-deps] done"
