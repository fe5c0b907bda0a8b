#!/usr/bin/env bash
# Dependencies point downward only (README "Architecture"): every #include "X/..." in src/ must
# name the file's own folder or one the folder is allowed to use. A header that includes a layer
# above it, or a new folder missing from this table, fails the test.
set -euo pipefail
src=${1:-$(dirname "$0")/../src}
declare -A allowed=(
  [util]=""
  [tensor]="util"
  [model]="tensor util"
  [wireless]="util"
  [opt]="wireless util"
  [comm]="wireless opt tensor util"
  [tp]="comm model tensor util"
  [perfmodel]="comm opt wireless model tensor util"
  [runtime]="tp comm model tensor wireless util"
  [experiments]="runtime perfmodel tp comm opt wireless model tensor util"
  [serve]="runtime tp comm model tensor util"
  [cli]="serve experiments runtime perfmodel tp comm opt wireless model tensor util"
)
bad=0
for dir in "$src"/*/; do
  layer=$(basename "$dir")
  if [[ ! -v allowed[$layer] ]]; then
    echo "layering: src/$layer is not in the layer table of $0"
    bad=1
    continue
  fi
  while IFS=: read -r file line; do
    inc=$(sed -E 's/.*#include "([^/"]+)\/.*/\1/' <<<"$line")
    [[ "$inc" == "$layer" ]] && continue
    if [[ " ${allowed[$layer]} " != *" $inc "* ]]; then
      echo "layering: ${file#"$src"/} includes $inc/ (allowed for $layer/: ${allowed[$layer]:-none})"
      bad=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$dir" || true)
done
[[ $bad == 0 ]] && echo "layering: every include points downward"
exit $bad
