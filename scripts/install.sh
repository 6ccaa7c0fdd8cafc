#!/usr/bin/env bash
# First-time setup on a fresh machine: system packages the native modules need, then the npm
# dependencies exactly as locked. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh app
npm ci --no-fund --no-audit
