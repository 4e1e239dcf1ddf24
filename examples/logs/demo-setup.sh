#!/bin/sh
# Writes the access logs of two local "front ends", fe1 and fe2, for examples/logs.yaml: nginx's combined format with
# times from the last two hours, fe2 answering 502 for the last few minutes (and logging a token in a query string,
# which the bot redacts). Run it from anywhere (again for fresh times): the logs go to examples/.switchboard/demo/logs,
# beside examples/logs.yaml, whose paths are relative to its own folder (the logs plugin allows no ".." in paths).
set -eu
dir="$(cd "$(dirname "$0")/.." && pwd)/.switchboard/demo/logs"
stamp() { date -u -d "@$(($(date +%s) - $1))" '+%d/%b/%Y:%H:%M:%S +0000'; }
for host in fe1 fe2; do
  mkdir -p "$dir/$host"
  : >"$dir/$host/access.log"
  for ago in 7200 3600 1800 900 600 300 120 60 30; do
    status=200
    path=/api/orders
    if [ "$host" = fe2 ] && [ "$ago" -le 300 ]; then
      status=502
      path="/api/orders?token=demo-secret-$ago"
    fi
    echo "10.0.0.$((ago % 250)) - - [$(stamp "$ago")] \"GET $path HTTP/1.1\" $status 612 \"-\" \"curl/7.88.1\"" >>"$dir/$host/access.log"
  done
done
echo "wrote $dir/fe1/access.log and $dir/fe2/access.log; now: ./switchboard shell --config examples/logs.yaml"
