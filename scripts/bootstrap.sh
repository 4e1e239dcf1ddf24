#!/bin/sh
# Installs everything Switchboard needs on a machine that has Node.js 20 and npm, then builds it.
# Idempotent: a second run takes a few seconds.
set -eu
cd "$(dirname "$0")/.."

# pnpm 12 is a native executable; install it into ./.tools when it is not on PATH (no root needed).
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  if [ ! -x .tools/bin/pnpm ]; then
    echo "bootstrap: installing pnpm 12.4.2 into ./.tools"
    npm install --global --prefix "$PWD/.tools" --allow-scripts=pnpm --save-exact pnpm@12.4.2 >/dev/null
  fi
  PATH="$PWD/.tools/bin:$PATH"
  export PATH
fi

# better-sqlite3 compiles from source; point node-gyp at this Node's own headers instead of downloading them.
node_prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
if [ -f "$node_prefix/include/node/node.h" ]; then
  npm_config_nodedir="$node_prefix"
  export npm_config_nodedir
fi

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
pnpm exec turbo run build --output-logs=errors-only
