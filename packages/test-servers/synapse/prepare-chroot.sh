#!/bin/sh
# Builds the Debian sid chroot that holds Synapse (matrix-synapse) for the Matrix tests. scripts/test-servers.sh runs
# it (after installing debootstrap), so `npm test` builds the chroot when it is missing.
# Usage: prepare-chroot.sh [DIR]   (default: $SWITCHBOARD_SYNAPSE_CHROOT, else /var/tmp/switchboard-synapse-chroot)
# Needs root, debootstrap, and network access to the Debian mirror.
# Idempotent: a chroot that already has Synapse is left as it is. Takes about 2 minutes from nothing.
set -eu
root="${1:-${SWITCHBOARD_SYNAPSE_CHROOT:-/var/tmp/switchboard-synapse-chroot}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
marker="$root/.switchboard-synapse-ready"

if [ -f "$marker" ]; then
  echo "prepare-chroot: $root is ready"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "prepare-chroot: must run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
# One build at a time (test workers may ask together); the others wait, then find it ready.
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock 9
if [ -f "$marker" ]; then
  echo "prepare-chroot: $root is ready"
  exit 0
fi
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" # debootstrap and chroot live in sbin
export PATH
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "prepare-chroot: debootstrap is not installed; run sh scripts/test-servers.sh (it installs it, then runs this)" >&2
  exit 1
fi

tmp="$root.partial"
rm -rf "$tmp"
mkdir -p "$(dirname "$root")"
echo "prepare-chroot: debootstrap sid into $tmp (about 1 minute)"
debootstrap --variant=minbase --include=ca-certificates sid "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
  tail -n 30 "$tmp.log" >&2
  echo "prepare-chroot: debootstrap failed (log: $tmp.log)" >&2
  exit 1
}
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
echo "prepare-chroot: apt-get install matrix-synapse inside the chroot (about 1 minute)"
# The clock may be ahead of sid's Release file, which apt then calls expired.
chroot "$tmp" sh -c 'apt-get -qq -o Acquire::Check-Valid-Until=false update &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends matrix-synapse python3-yaml &&
  apt-get clean' >>"$tmp.log" 2>&1 || {
  tail -n 30 "$tmp.log" >&2
  echo "prepare-chroot: installing matrix-synapse failed (log: $tmp.log)" >&2
  exit 1
}
chroot "$tmp" python3 -c 'import synapse, yaml; print("synapse", synapse.__version__)'
rm -f "$tmp.log"
date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.switchboard-synapse-ready"
rm -rf "$root"
mv "$tmp" "$root"
echo "prepare-chroot: $root is ready"
