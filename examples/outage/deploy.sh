#!/bin/sh
# The deploy for examples/outage, run by @switchboard/plugin-deploy's command provider (demo-setup.sh installs it as
# ./.switchboard/outage/bin/deploy): each host in DEPLOY_HOSTS (default: fe1 and fe2) gets the exact commit as its
# release; the front end serves it from the next request on.
#   DEPLOY_REF, DEPLOY_SHA, DEPLOY_HOSTS  from the plugin        OUTAGE_DIR  the demo folder
set -eu
dir=${OUTAGE_DIR:?OUTAGE_DIR is not set}
ref=${DEPLOY_REF:?}
sha=${DEPLOY_SHA:?}
case $sha in *[!0-9a-f]*) echo "bad DEPLOY_SHA" >&2; exit 2 ;; esac
case $ref in *[!A-Za-z0-9._/-]*) echo "bad DEPLOY_REF" >&2; exit 2 ;; esac
short=$(printf '%s' "$sha" | cut -c1-7)
hosts=$(printf '%s' "${DEPLOY_HOSTS:-fe1,fe2}" | tr ',' ' ')
for host in $hosts; do
  case $host in fe1 | fe2) ;; *) echo "no host $host here" >&2; exit 2 ;; esac
  echo "$host: switching to $ref ($short)"
  printf '%s %s\n' "$ref" "$short" >"$dir/$host.release"
done
echo "deployed $ref ($short) to $hosts"
