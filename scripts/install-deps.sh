#!/usr/bin/env bash
# Installs airtp's build and test dependencies from Debian 12 packages (needs root or sudo).
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config
      libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev
      libopenmpi-dev openmpi-bin libdsdp-dev liblapack-dev libblas-dev
      libpcre2-dev  # byte-level BPE pre-tokenizer regexes
      libcpp-httplib-dev  # airtp serve
      libgtest-dev libgmock-dev libbenchmark-dev
      gnuplot-nox python3
      chromium chromium-driver  # the chat page's browser test (tests/e2e/serve_page.sh)
      clang libclang-rt-14-dev)  # libFuzzer targets (fuzz/), run by the test command
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "install-deps: all ${#PKGS[@]} packages present"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
