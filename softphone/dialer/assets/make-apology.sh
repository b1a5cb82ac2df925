#!/bin/sh
# Regenerates apology.wav, the default prompt a parallel session plays to a
# contact who answered while the rep was already on another line (an
# abandoned call), before hanging up. Made with espeak-ng (voice en-us,
# 165 words a minute) and sox (8 kHz mono 16-bit, the telephone band,
# level normalised to -3 dBFS, leading and trailing silence trimmed). Run from this directory; commit the result.
set -eu
espeak-ng -v en-us -s 165 -w apology-raw.wav \
  "Sorry, we are busy right now. We will call you back. Goodbye."
sox apology-raw.wav -r 8000 -c 1 -b 16 apology.wav norm -3 silence 1 0.02 1% reverse silence 1 0.02 1% reverse
rm -f apology-raw.wav
