#!/bin/sh
# Creates the Puppet demo used by examples/puppet.yaml under ./.switchboard/demo/fleet (run from the repository
# root): a Puppet control repository (branch main: git 2.39.2; branch gh13: git 2.39.5), the "production"
# environment on the master, and three local "hosts" fs1–fs3 (a confdir and vardir each) that have git 2.39.2.
# Packages use the demo provider in examples/puppet/modules: it records versions in the host's vardir and installs
# nothing on this machine.
#
#   sh examples/puppet/demo-setup.sh          # set up (once)
#   sh examples/puppet/demo-setup.sh merge    # "the pull request is merged": gh13 into main
set -eu
here=$(cd "$(dirname "$0")" && pwd)
demo=./.switchboard/demo/fleet
control=$demo/control
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.org GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.org

if [ "${1:-}" = merge ]; then
  git -C "$control" merge --quiet --no-edit gh13
  echo "merged gh13 into main: $(git -C "$control" log -1 --format='%h %s')"
  echo "next: deploy puppet to puppetmaster (main becomes the production environment)"
  exit 0
fi
if [ -d "$control" ]; then
  echo "$demo already exists; remove it to start over"
  exit 0
fi
command -v puppet >/dev/null || echo "note: puppet is not installed (apt-get install puppet); the demo needs it"

site() {
  cat <<EOF
# The file servers run git $1; the motd says which.
node /^fs\\d+\$/ {
  package { 'git': ensure => '$1', provider => demo }
  file { 'motd':
    path    => "\${settings::vardir}/motd",
    content => "This file server runs git $1\\n",
    require => Package['git'],
  }
}
node default { }
EOF
}

mkdir -p "$demo"
git init --quiet -b main "$control"
mkdir -p "$control/manifests"
cp -R "$here/modules" "$control/modules"
site 2.39.2 >"$control/manifests/site.pp"
git -C "$control" add . && git -C "$control" commit --quiet -m "fileservers: git 2.39.2"
git -C "$control" checkout --quiet -b gh13
site 2.39.5 >"$control/manifests/site.pp"
git -C "$control" commit --quiet -am "fileservers: upgrade git to 2.39.5 (gh13)"
git -C "$control" checkout --quiet main

# The master's production environment, as the deploy plugin's puppet-environment.sh makes it: a worktree of main.
mkdir -p "$demo/environments"
git -C "$control" worktree add --quiet --detach "$(pwd)/$demo/environments/production" main

for host in fs1 fs2 fs3; do
  mkdir -p "$demo/hosts/$host/conf" "$demo/hosts/$host/var/demo-packages"
  echo 2.39.2 >"$demo/hosts/$host/var/demo-packages/git"
  echo "This file server runs git 2.39.2" >"$demo/hosts/$host/var/motd"
done
echo "Puppet demo ready in $demo (control: main, gh13; environments: production; hosts: fs1 fs2 fs3)"
