#!/usr/bin/env bash
# Installs what the project needs and is missing, idempotently: Debian packages, the model file and
# the working folders. Safe to run again and again; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libopenblas-dev libhdf5-dev libturbojpeg0-dev libpng-dev libssl-dev pkg-config curl)

missing=()
for package in "${APT_PACKAGES[@]}" "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p Models product_images __generated__ uploads
scripts/fetch-model.sh
