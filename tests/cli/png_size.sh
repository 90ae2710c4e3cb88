#!/usr/bin/env bash
# A PNG's pixel size: png_size.sh FILE WIDTH HEIGHT (read from the IHDR chunk).
set -eu
read -r width height < <(od -An -tu1 -j16 -N8 "$1" |
  awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
[ "$width" = "$2" ] && [ "$height" = "$3" ] || { echo "$1 is ${width}x${height}, expected $2x$3"; exit 1; }
echo "ok: $1 is ${width}x${height}"
