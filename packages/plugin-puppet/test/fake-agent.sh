#!/bin/sh
# "puppet agent" on a test host (installed first on PATH for ssh sessions by ssh-runner.test.ts): records its
# arguments, then runs puppet apply with the host's own confdir and vardir. @HOST@, @CERTNAME@, @ENVS@ and @LOG@ are
# filled in by the test.
set -eu
if [ "${1:-}" != agent ]; then exec /usr/bin/puppet "$@"; fi
shift
printf '%s\n' "agent $*" >>'@LOG@'
noop=--no-noop
env=production
for arg in "$@"; do
  case $arg in
    --noop) noop=--noop ;;
    --no-noop) noop=--no-noop ;;
    --environment=*) env=${arg#--environment=} ;;
  esac
done
exec /usr/bin/puppet apply "$noop" --color=false --detailed-exitcodes --show_diff \
  --confdir='@HOST@/conf' --vardir='@HOST@/var' --publicdir='@HOST@/var/public' --certname='@CERTNAME@' \
  --environmentpath='@ENVS@' --environment="$env" "@ENVS@/$env/manifests"
