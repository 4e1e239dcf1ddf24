#!/bin/sh
# A small local deploy for the example app "web": unpacks the exact commit into a release directory and points
# the environment's "current" link at it. Run by @switchboard/plugin-deploy's command provider.
#   DEPLOY_ENV, DEPLOY_REF, DEPLOY_SHA  from the plugin
#   WEB_REPO      the app's git repository      WEB_RELEASES  where releases are unpacked
set -eu

repo=${WEB_REPO:?WEB_REPO is not set}
root=${WEB_RELEASES:?WEB_RELEASES is not set}
env=${DEPLOY_ENV:?}
sha=${DEPLOY_SHA:?}
# Deploy exactly the commit that was checked and approved (DEPLOY_SHA), never the ref: a branch can move meanwhile.
case $sha in *[!0-9a-f]*) echo "bad DEPLOY_SHA" >&2; exit 2 ;; esac
[ ${#sha} -eq 40 ] || [ ${#sha} -eq 64 ] || { echo "DEPLOY_SHA is not a full commit id" >&2; exit 2; }
case $env in *[!a-z0-9_-]*) echo "bad DEPLOY_ENV" >&2; exit 2 ;; esac

short=$(printf '%s' "$sha" | cut -c1-7)
release=$root/$env/releases/$short
echo "unpacking $DEPLOY_REF ($short) into $release"
mkdir -p "$release"
git -C "$repo" archive "$sha" | tar -x -C "$release"
echo "running checks"
[ -f "$release/index.html" ] || { echo "index.html is missing" >&2; exit 1; }
ln -sfn "releases/$short" "$root/$env/current"
echo "$env now serves $short"
