#!/bin/sh
# Provisions every real server the tests start, on Debian/Ubuntu: `npm test` runs it before vitest. The tests start
# the servers themselves (packages/test-servers, on free loopback ports); this script only makes sure they exist.
#
#   sh scripts/test-servers.sh                 as root: installs what is missing; otherwise says what to run
#   sh scripts/test-servers.sh --check         installs nothing; exit 1 (with what to run) when something is missing
#   sh scripts/test-servers.sh --build-tools   only the build tools group (scripts/bootstrap.sh uses it)
#
# Idempotent: what is there is left alone; `apt-get update` runs only when a package has no install candidate or the
# install failed on stale package lists. One line per step; the full output goes to .switchboard/logs/test-servers.log.
set -eu
cd "$(dirname "$0")/.."

# ---------------------------------------------------------------------------------------------------------------------
# Debian packages the tests need: one group per line, "<packages>  # <what needs them>". Add yours to this list.
# ---------------------------------------------------------------------------------------------------------------------
DEBIAN_PACKAGES='
python3 make g++                         # build tools: node-gyp compiles better-sqlite3 (scripts/bootstrap.sh)
ngircd inspircd atheme-services openssl  # IRC tests: ngircd; inspircd linked to atheme-services; TLS certificates
debootstrap                              # Matrix tests: builds the Synapse chroot (see below)
git                                      # deploy plugin tests and examples/deploy: real git repositories
puppet                                   # puppet plugin tests
openssh-server                           # ssh runner tests
systemd-journal-remote                   # logs plugin tests: writes real journal files that journalctl -D reads
prometheus prometheus-alertmanager       # metrics and paging plugin and HTTP endpoint tests
graphite-web graphite-carbon gunicorn    # metrics plugin tests (Graphite)
fonts-dejavu-core                        # metrics plugin: the text in charts (resvg draws with the system fonts)
systemd                                  # examples/switchboard.service is checked with systemd-analyze verify
haproxy                                  # load balancer plugin tests and examples/outage: HAProxy 2.6 runtime API
postgresql pgbouncer                     # store-postgres: throwaway PostgreSQL 15 clusters; PgBouncer (transaction mode refused)
chromium                                 # HTTP endpoint: the web view driven by playwright-core (/usr/bin/chromium)
'

# Synapse for the Matrix tests: Debian sid's matrix-synapse in a debootstrap chroot outside the repository (about two
# minutes to build; reused afterwards). packages/test-servers/src/synapse.ts starts it from there.
SYNAPSE_CHROOT="${SWITCHBOARD_SYNAPSE_CHROOT:-/var/tmp/switchboard-synapse-chroot}"
SYNAPSE_PREPARE=packages/test-servers/synapse/prepare-chroot.sh

mode=install
case "${1:-}" in
"") ;;
--check) mode=check ;;
--build-tools) mode=build-tools ;;
*)
  echo "usage: sh scripts/test-servers.sh [--check | --build-tools]" >&2
  exit 2
  ;;
esac

step_prefix=test-servers
step_log="${SWITCHBOARD_LOG_DIR:-.switchboard/logs}/test-servers.log"
. scripts/steps.sh

if [ "$mode" = build-tools ]; then
  wanted=$(echo "$DEBIAN_PACKAGES" | grep '# build tools:' | sed 's/#.*//')
else
  wanted=$(echo "$DEBIAN_PACKAGES" | sed 's/#.*//')
fi
wanted=$(echo $wanted) # one line, single spaces
root=no
[ "$(id -u)" = 0 ] && root=yes
export DEBIAN_FRONTEND=noninteractive
apt_options="-y -q -o DPkg::Lock::Timeout=120"
todo="" # what a non-root user (or --check) has to run, one command per line

# The wanted packages that are not installed.
missing_packages() {
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $wanted 2>/dev/null | awk '$2 == "installed" { print $1 }')
  for package in $wanted; do
    echo "$installed" | grep -qx "$package" || printf '%s ' "$package"
  done
}

# Whether every package in $missing has an install candidate in the current package lists.
candidates_known() {
  apt-cache policy $missing 2>/dev/null | awk '
    /^[^ ]/ { n++ }
    /Candidate:/ { if ($2 != "(none)") c++ }
    END { exit (n > 0 && n == c) ? 0 : 1 }'
}

# -- Debian packages ----------------------------------------------------------------------------------------------------
step_start=$(step_now)
if ! command -v dpkg-query >/dev/null 2>&1; then
  step_fail "not a Debian/Ubuntu system (no dpkg-query): install the equivalents of these packages yourself: $wanted"
fi
missing=$(missing_packages)
missing=$(echo $missing)
# shellcheck disable=SC2086 # one word per package
set -- $wanted
count=$#
if [ -z "$missing" ]; then
  step_note "Debian packages: all $count installed"
elif [ "$root" = no ] || [ "$mode" = check ]; then
  step_note "Debian packages: missing $missing"
  update=""
  candidates_known || update="sudo apt-get update && "
  todo="$todo${update}sudo apt-get install -y --no-install-recommends $missing
"
else
  updated=no
  if ! candidates_known; then
    step "updating the package lists (apt-get update)" apt-get $apt_options update
    updated=yes
  fi
  if ! step_try "installing $missing" apt-get $apt_options install --no-install-recommends $missing; then
    # The lists may be stale (an archive moved on): update them once and try again.
    [ "$updated" = no ] || step_fail "apt-get install failed"
    step "updating the package lists (apt-get update)" apt-get $apt_options update
    missing=$(echo $(missing_packages))
    step "installing $missing" apt-get $apt_options install --no-install-recommends $missing
  fi
  still=$(echo $(missing_packages))
  [ -z "$still" ] || step_fail "still not installed after apt-get install: $still"
fi

# -- Synapse chroot (Matrix tests) --------------------------------------------------------------------------------------
if [ "$mode" != build-tools ]; then
  step_start=$(step_now)
  if [ -f "$SYNAPSE_CHROOT/.switchboard-synapse-ready" ]; then
    step_note "Synapse chroot: ready in $SYNAPSE_CHROOT"
  elif [ "$root" = no ] || [ "$mode" = check ]; then
    step_note "Synapse chroot: not built ($SYNAPSE_CHROOT)"
    todo="${todo}sudo sh $SYNAPSE_PREPARE $SYNAPSE_CHROOT
"
  else
    step "building the Synapse chroot in $SYNAPSE_CHROOT (debootstrap + matrix-synapse, about 2 minutes)" \
      sh "$SYNAPSE_PREPARE" "$SYNAPSE_CHROOT"
  fi
fi

if [ -n "$todo" ]; then
  {
    echo
    if [ "$mode" = build-tools ]; then
      echo "Compiling the SQLite driver (better-sqlite3) needs python3, make and g++; installing them needs root. Run:"
    elif [ "$mode" = check ]; then
      echo "The tests need real servers that are not provisioned yet. Run (from $(pwd)):"
    else
      echo "The tests need real servers that are not provisioned yet, and installing them needs root. Run:"
    fi
    echo
    printf '%s' "$todo" | sed 's/^/  /'
    echo
    [ "$mode" = build-tools ] || echo "(or everything at once: sudo sh scripts/test-servers.sh), then run the tests again."
  } >&2
  exit 1
fi
