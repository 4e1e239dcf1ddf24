#!/bin/sh
# Installs everything Switchboard needs on a machine that has Node.js 20 and npm, then builds it.
#   sh scripts/bootstrap.sh           install and build (npm run bootstrap; npm test runs it too)
#   sh scripts/bootstrap.sh --start   then start the bot in this terminal (npm run quickstart)
# One line per step with its time; the full output is in .switchboard/logs/bootstrap.log (its tail is shown when a
# step fails). Idempotent: a second run takes a few seconds.
set -eu
cd "$(dirname "$0")/.."

start=no
case "${1:-}" in
"") ;;
--start) start=yes ;;
*)
  echo "usage: sh scripts/bootstrap.sh [--start]" >&2
  exit 2
  ;;
esac

# No telemetry, no update notices (turbo, pnpm, npm).
TURBO_TELEMETRY_DISABLED=1
TURBO_NO_UPDATE_NOTIFIER=1
NO_UPDATE_NOTIFIER=1
npm_config_update_notifier=false
export TURBO_TELEMETRY_DISABLED TURBO_NO_UPDATE_NOTIFIER NO_UPDATE_NOTIFIER npm_config_update_notifier

step_prefix=bootstrap
step_log="${SWITCHBOARD_LOG_DIR:-.switchboard/logs}/bootstrap.log"
. scripts/steps.sh
bootstrap_start=$(step_now)

# pnpm (a native executable since pnpm 12), the version package.json names: the one on PATH, else ./.tools/bin (no
# root needed), installed there when missing.
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' package.json)
if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  PATH="$PWD/.tools/bin:$PATH"
  export PATH
  if [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    step "installing pnpm $pnpm_version into ./.tools" \
      npm install --global --prefix "$PWD/.tools" --allow-scripts=pnpm --save-exact --no-fund --no-audit \
      "pnpm@$pnpm_version"
  fi
fi

# better-sqlite3 compiles from source: node-gyp uses this Node's own headers instead of downloading them.
node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
if [ -f "$node_prefix/include/node/node.h" ]; then
  npm_config_nodedir="$node_prefix"
  export npm_config_nodedir
fi

# One install at a time in this checkout (npm test and quickstart may run together).
install_lock="${SWITCHBOARD_INSTALL_LOCK:-.switchboard/install.lock}"
locked() {
  if command -v flock >/dev/null 2>&1; then flock "$install_lock" "$@"; else "$@"; fi
}

sqlite_loads() {
  (cd packages/store-sqlite && node -e 'new (require("better-sqlite3"))(":memory:").close()') >/dev/null 2>&1
}
frozen=""
[ ! -f pnpm-lock.yaml ] || frozen=--frozen-lockfile

if sqlite_loads; then
  step "installing dependencies" locked pnpm install $frozen
else
  # First install (or a new Node version): dependencies without their build scripts, then the one that takes time,
  # the SQLite driver, on its own.
  step "installing dependencies" locked pnpm install $frozen --ignore-scripts
  if ! command -v python3 >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
    sh scripts/test-servers.sh --build-tools # installs python3, make and g++ (as root), or says how
  fi
  # Builds what the install skipped (better-sqlite3, esbuild); a driver built for another Node is rebuilt by name.
  step "compiling the SQLite driver (better-sqlite3, about a minute)" locked pnpm rebuild --pending
  if ! sqlite_loads; then
    step "compiling the SQLite driver for node $(node --version)" locked pnpm rebuild better-sqlite3
    sqlite_loads || step_fail "better-sqlite3 was compiled but does not load"
  fi
fi

step "building" pnpm exec turbo run build --output-logs=errors-only

if [ "$start" = yes ]; then
  echo "bootstrap: starting the bot (./switchboard start; ready after $(step_since "$bootstrap_start"))"
  exec node apps/bot/dist/cli.js start
fi
