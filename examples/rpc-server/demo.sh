#!/bin/sh
# Starts the demo ChatOps RPC service for examples/rpc.yaml, making the bot's demo key pair first if it is missing:
#   ./.switchboard/rpc-demo-key.pem      (private: the bot signs with it; CHATOPS_RPC_PRIVATE_KEY_FILE)
#   ./.switchboard/rpc-demo-key.pub.pem  (public: the service checks with it; CHATOPS_RPC_PUBLIC_KEY_FILE)
# Run from the repository root; stop with Ctrl-C. Then, in another terminal:
#   ./switchboard shell --config examples/rpc.yaml
set -eu
dir=./.switchboard
mkdir -p "$dir"
if [ ! -f "$dir/rpc-demo-key.pem" ]; then
  node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const { writeFileSync } = require("node:fs");
    const k = generateKeyPairSync("rsa", { modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    writeFileSync(process.argv[1] + "/rpc-demo-key.pem", k.privateKey, { mode: 0o600 });
    writeFileSync(process.argv[1] + "/rpc-demo-key.pub.pem", k.publicKey);
  ' "$dir"
  echo "made the demo key pair in $dir/rpc-demo-key.pem (+ .pub.pem)"
fi
CHATOPS_RPC_PUBLIC_KEY_FILE="${CHATOPS_RPC_PUBLIC_KEY_FILE:-$dir/rpc-demo-key.pub.pem}" PORT="${PORT:-8787}" \
  exec node "$(dirname "$0")/server.mjs"
