#!/usr/bin/env bash
# tools/bootstrap.sh: make sure the Debian packages the project needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the command.
set -euo pipefail

packages=(
  make gcc                                  # build
  postgresql-15 postgresql-server-dev-15    # the server and PGXS
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl   # pgTAP and pg_prove
  postgresql-15-hll                         # the peer the benchmark compares against
  clang libclang-rt-14-dev                  # libFuzzer for 'make fuzz'
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
