#!/bin/sh
# Creates the demo repositories used by examples/deploy.yaml under ./.switchboard/demo (run from the repository
# root): a Puppet control repository with a branch gh13, and a web app with a branch "feature".
set -eu
demo=./.switchboard/demo
if [ -d "$demo/puppet" ]; then
  echo "$demo already exists; remove it to start over"
  exit 0
fi
mkdir -p "$demo"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.org GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.org

git init --quiet -b main "$demo/puppet"
mkdir -p "$demo/puppet/manifests"
printf "node 'fs1' {\n  package { 'git': ensure => '2.30.2' }\n}\n" >"$demo/puppet/manifests/site.pp"
git -C "$demo/puppet" add . && git -C "$demo/puppet" commit --quiet -m "fs1: git 2.30.2"
git -C "$demo/puppet" checkout --quiet -b gh13
printf "node 'fs1' {\n  package { 'git': ensure => '2.39.5' }\n}\n" >"$demo/puppet/manifests/site.pp"
git -C "$demo/puppet" commit --quiet -am "fs1: upgrade git to 2.39.5 (gh13)"
git -C "$demo/puppet" checkout --quiet main

git init --quiet -b main "$demo/web"
echo "<h1>hello</h1>" >"$demo/web/index.html"
git -C "$demo/web" add . && git -C "$demo/web" commit --quiet -m "first page"
git -C "$demo/web" checkout --quiet -b feature
echo "<h1>hello, world</h1>" >"$demo/web/index.html"
git -C "$demo/web" commit --quiet -am "a friendlier page"
git -C "$demo/web" checkout --quiet main
echo "demo repositories ready in $demo (puppet: main, gh13; web: main, feature)"
