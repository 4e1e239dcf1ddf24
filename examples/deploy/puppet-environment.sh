#!/bin/sh
# Makes a Puppet environment from a branch on the Puppet master: one git worktree per branch, checked out at
# exactly the commit Switchboard resolved and checked. Run by @switchboard/plugin-deploy's command provider, so
# `deploy puppet/gh13 to puppetmaster` gives the master an environment "gh13".
#
# From the plugin (validated before this runs; checked again here anyway):
#   DEPLOY_REF   the branch (gh13)            DEPLOY_SHA  the full commit id to check out
#   DEPLOY_ACTOR who asked                    DEPLOY_JOB  the job id
#   DEPLOY_PUPPET_ENVIRONMENT  the Puppet environment the branch stands for (production for the production branch)
# From the provider's `env` in the configuration:
#   PUPPET_REPO               the Puppet control repository on the master (fetched from origin if the commit is missing)
#   PUPPET_ENVIRONMENTS       the master's environments directory (e.g. /etc/puppetlabs/code/environments)
#   PUPPET_PRODUCTION_BRANCH  the branch that is the "production" environment (default: main)
set -eu

fail() {
  echo "puppet-environment: $*" >&2
  exit 2
}

repo=${PUPPET_REPO:?PUPPET_REPO is not set}
envs=${PUPPET_ENVIRONMENTS:?PUPPET_ENVIRONMENTS is not set}
ref=${DEPLOY_REF:?DEPLOY_REF is not set}
sha=${DEPLOY_SHA:?DEPLOY_SHA is not set}

# Relative paths are relative to where this runs (the provider's cwd); git -C needs them absolute.
absolute() {
  case $1 in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$(pwd)" "${1#./}" ;;
  esac
}
repo=$(absolute "$repo")
envs=$(absolute "$envs")

case $sha in
  *[!0-9a-f]*) fail "DEPLOY_SHA is not a commit id" ;;
esac
[ ${#sha} -eq 40 ] || [ ${#sha} -eq 64 ] || fail "DEPLOY_SHA is not a full commit id"
case $ref in
  -* | *[!A-Za-z0-9._/+-]*) fail "DEPLOY_REF has characters a ref may not have" ;;
esac

# The environment's name comes from Switchboard (core's puppetEnvironmentFor, the rule the puppet plugin uses too):
# the production branch becomes "production", any other branch its own name in [a-z0-9_] (feature/Fix-1 ->
# feature_fix_1). Checked again here: Puppet environment names are [a-z0-9_].
name=${DEPLOY_PUPPET_ENVIRONMENT:?DEPLOY_PUPPET_ENVIRONMENT is not set}
case $name in
  '' | *[!a-z0-9_]*) fail "DEPLOY_PUPPET_ENVIRONMENT is not a Puppet environment name" ;;
esac
dir=$envs/$name
short=$(printf '%s' "$sha" | cut -c1-7)

if ! git -C "$repo" cat-file -e "$sha^{commit}" 2>/dev/null; then
  echo "fetching $short into $repo"
  git -C "$repo" fetch --quiet origin || fail "cannot fetch into $repo"
  git -C "$repo" cat-file -e "$sha^{commit}" 2>/dev/null || fail "commit $sha is not in $repo"
fi

mkdir -p "$envs"
if [ -e "$dir/.git" ]; then
  before=$(git -C "$dir" rev-parse HEAD)
  if [ "$before" = "$sha" ]; then
    echo "environment $name is already at $short ($ref)"
  else
    echo "environment $name is at $(printf '%s' "$before" | cut -c1-7); moving it to $short ($ref)"
    git -C "$dir" checkout --quiet --detach "$sha"
    git -C "$dir" --no-pager diff --stat "$before" "$sha"
  fi
else
  echo "creating environment $name from $ref at $short"
  git -C "$repo" worktree add --quiet --detach "$dir" "$sha"
fi
head=$(git -C "$dir" --no-pager log -1 --format='%h %s')
[ "$(git -C "$dir" rev-parse HEAD)" = "$sha" ] || fail "environment $name is not at $short"
echo "environment $name ready: $dir at $head"
