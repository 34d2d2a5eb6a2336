#!/bin/sh
# Regenerates build/icon.png (1024×1024: a disc with a waveform) and build/tray.png (64×64)
# deterministically with ffmpeg's lavfi + geq. Run from apps/desktop: sh scripts/make-icons.sh
set -eu
cd "$(dirname "$0")/../build"
BAR='between(X,212,811)*lt(mod(X-212,50),30)*lt(abs(Y-512),(70+330*abs(sin(floor((X-212)/50)*0.9+0.4)))/2)'
DISC='clip(470.5-hypot(X-511.5,Y-511.5),0,1)'
ffmpeg -loglevel error -y -f lavfi -i "color=c=black@0:s=1024x1024,format=rgba" -frames:v 1 \
  -vf "geq=r='if(${BAR},255,96+72*Y/1024)':g='if(${BAR},255,52+30*X/1024)':b='if(${BAR},255,210-40*Y/1024)':a='255*${DISC}'" \
  icon.png
ffmpeg -loglevel error -y -i icon.png -vf "scale=64:64:flags=lanczos" tray.png
