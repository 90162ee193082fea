#!/usr/bin/env bash
# Installs the Debian 12 / Ubuntu 24.04 packages moeplan builds against.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsimgrid-dev
  libboost-graph-dev libboost-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev
  qt6-base-dev qt6-charts-dev libgl-dev libqt6opengl6-dev   # Qt6Charts' CMake config needs Qt6OpenGL's
  qt6-svg-dev   # optional: moeplan-gui --plot-frontier -o frontier.svg
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -q
$sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
