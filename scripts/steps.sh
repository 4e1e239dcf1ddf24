# Shared by scripts/bootstrap.sh and scripts/test-servers.sh (sourced, not run): one line per step with its elapsed
# time on the terminal, everything the step's commands print in a log file, and the log's tail and path on failure.
# Before sourcing, set `step_prefix` (e.g. "bootstrap") and `step_log` (a path relative to the repository root).

if ! { mkdir -p "$(dirname "$step_log")" && : >"$step_log"; } 2>/dev/null; then
  step_log="${TMPDIR:-/tmp}/switchboard-$step_prefix-$(id -u).log" # the repository is not writable for this user
  : >"$step_log"
fi

# Seconds since the epoch, with milliseconds where `date` has %N.
step_now() {
  t=$(date +%s.%N)
  case $t in
  *N) date +%s ;;
  *) echo "$t" | cut -c1-14 ;;
  esac
}

# step_since START: the seconds since START, e.g. "12.3s".
step_since() {
  awk -v a="$1" -v b="$(step_now)" 'BEGIN { printf "%.1fs", b - a }'
}

# step_try "what is happening" command args…: runs the command with its output in the log and prints
# "<prefix>: what is happening … 12.3s", or "… failed after 12.3s" and returns the command's status.
step_try() {
  step_what=$1
  shift
  step_start=$(step_now)
  printf '%s: %s … ' "$step_prefix" "$step_what"
  printf '\n== %s: %s (%s)\n$ %s\n' "$step_prefix" "$step_what" "$(date -u +%H:%M:%SZ)" "$*" >>"$step_log"
  if "$@" >>"$step_log" 2>&1 </dev/null; then
    step_since "$step_start"
    echo
    return 0
  else
    step_status=$?
    echo "failed after $(step_since "$step_start")"
    return "$step_status"
  fi
}

# step "what is happening" command args…: step_try, and on failure the log's tail and path, then exit 1.
step() {
  step_try "$@" || step_fail "$1 failed (exit $?)"
}

# step_note "message": a step that ran no command (e.g. "Debian packages: all 16 installed"), with its elapsed time
# since `step_start` (set it before the checks it reports).
step_note() {
  echo "$step_prefix: $1 … $(step_since "$step_start")"
}

# step_fail "message": the log's last 30 lines, the message and the log's path; exits 1.
step_fail() {
  if [ -s "$step_log" ]; then
    echo "---- last lines of $step_log ----" >&2
    tail -n 30 "$step_log" >&2
    echo "----" >&2
  fi
  echo "$step_prefix: $1. Full log: $step_log" >&2
  exit 1
}
