#!/usr/bin/env bash
# make-icon.sh: regenerates build/appicon.png (1024x1024) and
# build/windows/icon.ico from scratch with ImageMagick. The outputs are
# committed; run this only to change the icon.
set -euo pipefail
cd "$(dirname "$0")/.."
font=$(fc-match -f '%{file}' 'DejaVu Sans:bold' 2>/dev/null || true)
convert -size 1024x1024 xc:none \
  -fill '#121826' -draw 'roundrectangle 64,64 960,960 200,200' \
  -fill '#4fd1a5' -draw 'circle 512,512 512,212' \
  -fill '#121826' ${font:+-font "$font"} -pointsize 420 -gravity center -annotate +8+10 'P' \
  -strip build/appicon.png
convert build/appicon.png -define icon:auto-resize=256,128,64,48,32,16 build/windows/icon.ico
echo "wrote build/appicon.png and build/windows/icon.ico"
