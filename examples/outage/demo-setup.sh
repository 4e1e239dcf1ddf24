#!/bin/sh
# The outage of the talk on this machine, for examples/outage.yaml: a real HAProxy (Debian's haproxy package) in front
# of two local front ends, fe1 and fe2, that write log files, with steady traffic through it. fe2 runs the branch
# "broken" and answers errors; fe1 runs master. Everything lives in ./.switchboard/outage (run from where you start
# switchboard, normally the repository root).
#
#   sh examples/outage/demo-setup.sh          start (stops an earlier run first); prints what to export
#   sh examples/outage/demo-setup.sh stop     stop HAProxy, the front ends and the traffic
#
# Ports (loopback): WEB_PORT (HAProxy, default 18080), FE1_PORT (18081), FE2_PORT (18082). The runtime API socket is
# ./.switchboard/outage/haproxy.sock (admin level, mode 600): HAPROXY_SOCKET in examples/outage.yaml.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${OUTAGE_DIR:-./.switchboard/outage}
web_port=${WEB_PORT:-18080}
fe1_port=${FE1_PORT:-18081}
fe2_port=${FE2_PORT:-18082}

stop() {
  for name in traffic fe1 fe2 haproxy; do
    if [ -f "$dir/$name.pid" ]; then
      kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
      rm -f "$dir/$name.pid"
    fi
  done
}

case "${1:-start}" in
stop)
  stop
  echo "outage demo stopped"
  exit 0
  ;;
start) ;;
*)
  echo "usage: sh examples/outage/demo-setup.sh [start|stop]" >&2
  exit 2
  ;;
esac

haproxy=$(command -v haproxy || true)
[ -n "$haproxy" ] || { [ -x /usr/sbin/haproxy ] && haproxy=/usr/sbin/haproxy; } || true
if [ -z "$haproxy" ]; then
  echo "haproxy is not installed: sudo apt-get install -y --no-install-recommends haproxy (or sudo sh scripts/test-servers.sh)" >&2
  exit 1
fi

mkdir -p "$dir/bin"
stop
dir=$(cd "$dir" && pwd)

# The app's repository: master works, the branch "broken" does not.
if [ ! -d "$dir/web.git" ]; then
  export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.org GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.org
  git init --quiet -b master "$dir/web.git"
  echo "price: 10" >"$dir/web.git/app.txt"
  git -C "$dir/web.git" add . && git -C "$dir/web.git" commit --quiet -m "checkout works"
  git -C "$dir/web.git" checkout --quiet -b broken
  echo "price:" >"$dir/web.git/app.txt"
  git -C "$dir/web.git" commit --quiet -am "refactor prices (breaks checkout)"
  git -C "$dir/web.git" checkout --quiet master
fi
printf 'master %s\n' "$(git -C "$dir/web.git" rev-parse --short=7 master)" >"$dir/fe1.release"
printf 'broken %s\n' "$(git -C "$dir/web.git" rev-parse --short=7 broken)" >"$dir/fe2.release"
cp "$here/deploy.sh" "$dir/bin/deploy"
chmod 755 "$dir/bin/deploy"

node "$here/frontend.mjs" fe1 "$fe1_port" "$dir" >/dev/null 2>&1 &
echo $! >"$dir/fe1.pid"
node "$here/frontend.mjs" fe2 "$fe2_port" "$dir" >/dev/null 2>&1 &
echo $! >"$dir/fe2.pid"

cat >"$dir/haproxy.cfg" <<CFG
global
  stats socket $dir/haproxy.sock mode 600 level admin
  pidfile $dir/haproxy.pid
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout check 2s
frontend www
  bind 127.0.0.1:$web_port
  default_backend web
backend web
  balance roundrobin
  option httpchk GET /health
  server fe1 127.0.0.1:$fe1_port check inter 1s
  server fe2 127.0.0.1:$fe2_port check inter 1s
CFG
"$haproxy" -c -q -f "$dir/haproxy.cfg"
"$haproxy" -D -f "$dir/haproxy.cfg"

node "$here/traffic.mjs" "http://127.0.0.1:$web_port/checkout" >/dev/null 2>&1 &
echo $! >"$dir/traffic.pid"

tries=0
until [ -S "$dir/haproxy.sock" ]; do
  tries=$((tries + 1))
  [ $tries -lt 50 ] || { echo "HAProxy did not create $dir/haproxy.sock" >&2; exit 1; }
  sleep 0.1
done
echo "HAProxy on http://127.0.0.1:$web_port in front of fe1 (master) and fe2 (broken); logs in $dir/fe1.log, $dir/fe2.log"
echo "export HAPROXY_SOCKET=$dir/haproxy.sock OUTAGE_LOGS=$dir"
echo "stop it with: sh examples/outage/demo-setup.sh stop"
