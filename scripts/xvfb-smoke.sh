#!/usr/bin/env bash
# xvfb-smoke.sh BIN OUT.png [LOG [ARGS...]]
#
# Starts the Pitchline desktop binary BIN in a private Xvfb display and a
# private D-Bus session, with throwaway HOME/XDG dirs (so nothing is written to
# the real home and no stray dbus/at-spi processes survive), waits until the
# frontend reports "ui ready" in the app log (an event, not a fixed sleep),
# screenshots the "Pitchline" window to OUT.png with ImageMagick `import`,
# then stops the app with SIGTERM and waits for it. ARGS are passed to BIN
# (e.g. --data-dir DIR).
#
# Exit status: 0 when the window came up and was captured; non-zero otherwise.
# The app log is kept at LOG (default: OUT.png with .log). SMOKE_TIMEOUT
# (seconds, default 60) bounds the wait for the first screen.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 BIN OUT.png [LOG]" >&2
  exit 2
fi
BIN=$(readlink -f "$1")
OUT=$(readlink -f "$2")
LOG=${3:-${OUT%.png}.log}
LOG=$(readlink -f "$LOG")
shift $(( $# < 3 ? $# : 3 ))
TIMEOUT=${SMOKE_TIMEOUT:-60}

for tool in xvfb-run xauth dbus-run-session import xwininfo; do
  command -v "$tool" >/dev/null || { echo "xvfb-smoke: '$tool' missing (run: scripts/setup.sh test)" >&2; exit 3; }
done
[[ -x $BIN ]] || { echo "xvfb-smoke: $BIN is not an executable (run: make build)" >&2; exit 3; }

D=$(mktemp -d "${TMPDIR:-/tmp}/pitchline-smoke.XXXXXX")
trap 'rm -rf "$D"' EXIT
export HOME=$D/home XDG_CONFIG_HOME=$D/home/config XDG_CACHE_HOME=$D/home/cache \
       XDG_DATA_HOME=$D/home/data XDG_RUNTIME_DIR=$D/run NO_AT_BRIDGE=1 \
       PITCHLINE_LOG_LEVEL=debug
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
rm -f "$OUT" "$LOG"

# Inside the private X server and bus: run the app, wait for "ui ready" (or
# its death, or the timeout), capture, stop.
rc=0
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  dbus-run-session -- bash -c '
    set -u
    BIN=$1 OUT=$2 LOG=$3 TIMEOUT=$4
    shift 4
    "$BIN" "$@" 2>"$LOG" >/dev/null & APP=$!
    deadline=$((SECONDS + TIMEOUT))
    status=0
    until grep -q "msg=\"ui ready\"" "$LOG"; do
      if ! kill -0 "$APP" 2>/dev/null; then
        echo "xvfb-smoke: app exited before its first screen" >&2; status=4; break
      fi
      if (( SECONDS >= deadline )); then
        echo "xvfb-smoke: no \"ui ready\" within ${TIMEOUT}s" >&2; status=5; break
      fi
      sleep 0.1
    done
    if (( status == 0 )); then
      # The mapped top-level window titled "Pitchline" (largest of the
      # windows with that name; GTK also creates a small leader window).
      win=$(xwininfo -root -tree | awk '"'"'/"Pitchline": \(/ { split($NF, g, "+"); split($(NF-1), s, "x"); if (s[1]*s[2] > best) { best = s[1]*s[2]; id = $1 } } END { print id }'"'"')
      if [[ -z $win ]]; then
        echo "xvfb-smoke: no window titled Pitchline" >&2; xwininfo -root -tree >&2; status=6
      else
        import -window "$win" "$OUT" || status=7
      fi
    fi
    kill "$APP" 2>/dev/null
    wait "$APP"; app_rc=$?
    echo "xvfb-smoke: app exit status $app_rc" >&2
    exit "$status"' xvfb-smoke "$BIN" "$OUT" "$LOG" "$TIMEOUT" "$@" || rc=$?
echo "xvfb-smoke: screenshot $OUT, log $LOG" >&2
exit $rc
