#!/usr/bin/env bash
# `npm test`: installs and starts what the tests need when it is missing, builds the app, then
# runs every suite (lint, typecheck, unit, integration, e2e) and ends with one totals line:
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh test
# Dependencies: install when missing or when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
fi
node scripts/build.mjs --quiet
exec node scripts/run-tests.mjs "$@"
