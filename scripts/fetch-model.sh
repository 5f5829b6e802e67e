#!/usr/bin/env bash
# Puts the MobileNet v1 weights (alpha 1.0, 224, no top) at Models/mobilenet_1_0_224_tf_no_top.h5.
# Online: downloads Keras's official file. Offline: copies the copy in ../shared/models/.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=mobilenet_1_0_224_tf_no_top.h5
TARGET=Models/$NAME
URL=https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/$NAME
# Keras's own file, and the rebuilt copy in ../shared/models (same tensors, other bytes).
KNOWN_MD5="725ccbd03d61d7ced5b5c4cd17e7d527 aeac9876e39ed4ba73ed7a6f52c8858f"

is_known() { [ -f "$1" ] && [[ " $KNOWN_MD5 " == *" $(md5sum "$1" | cut -d' ' -f1) "* ]]; }

mkdir -p Models
if is_known "$TARGET"; then exit 0; fi

partial=$(mktemp "Models/.$NAME.XXXXXX"); chmod 644 "$partial"
trap 'rm -f "$partial"' EXIT
if curl -fsSL --connect-timeout 5 --max-time 120 -o "$partial" "$URL" 2>/dev/null && is_known "$partial"; then
  mv "$partial" "$TARGET"
  echo "fetch-model: downloaded $TARGET"
  exit 0
fi
for shared in ../shared/models/$NAME "${SIMILARITY_SHARED_MODELS:-/nonexistent}/$NAME"; do
  if is_known "$shared"; then
    cp "$shared" "$partial" && mv "$partial" "$TARGET"
    echo "fetch-model: copied $TARGET from $shared"
    exit 0
  fi
done
cat >&2 <<MSG
fetch-model: could not get the MobileNet weights.
  - downloading $URL failed (no network?), and
  - no copy was found in ../shared/models/.
Fix it by one of:
  - running this script again on a machine with internet access, or
  - copying $NAME (md5 725ccbd03d61d7ced5b5c4cd17e7d527) into Models/, or
  - pointing SIMILARITY_MODEL at the file when you run the service.
MSG
exit 1
