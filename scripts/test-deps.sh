#!/usr/bin/env bash
# test-deps.sh — makes sure the programs the test suite calls are installed.
# make test runs it first. It says nothing when everything is there. When
# something is missing it installs it as root on a machine with apt-get, and
# otherwise stops at once, naming what to install.
set -euo pipefail

# One line per program the tests call: the command, where its package comes
# from (deb: a Debian package, npm: a global npm package) and the package.
deps='
pdftotext  deb  poppler-utils
'

say() { echo "test-deps: $*" >&2; }

missing=() debs=() npms=()
add() { # add ARRAY WORD: append WORD unless ARRAY already holds it
  local -n list=$1
  local w
  for w in ${list[@]+"${list[@]}"}; do [ "$w" = "$2" ] && return; done
  list+=("$2")
}
while read -r cmd kind pkg; do
  [ -n "${cmd:-}" ] || continue
  command -v "$cmd" >/dev/null 2>&1 && continue
  missing+=("$cmd $kind $pkg")
  case $kind in
    deb) add debs "$pkg" ;;
    npm) add npms "$pkg" ;;
    *) say "unknown package kind '$kind' for $cmd in $0"; exit 2 ;;
  esac
done <<<"$deps"

[ ${#missing[@]} -eq 0 ] && exit 0

# npm packages need npm itself, which Debian ships as the package npm.
if [ ${#npms[@]} -gt 0 ] && ! command -v npm >/dev/null 2>&1; then
  add debs npm
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  for m in "${missing[@]}"; do
    read -r cmd kind pkg <<<"$m"
    case $kind in
      deb) say "missing $cmd: install the Debian package $pkg (apt-get install $pkg)" ;;
      npm) say "missing $cmd: install the npm package $pkg (npm install -g $pkg)" ;;
    esac
  done
  [ ${#debs[@]} -gt 0 ] && say "as root: apt-get install ${debs[*]}"
  [ ${#npms[@]} -gt 0 ] && say "then: npm install -g ${npms[*]}"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#debs[@]} -gt 0 ]; then
  say "installing Debian packages ${debs[*]}"
  # Wait for a dpkg lock held by someone else instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
fi
if [ ${#npms[@]} -gt 0 ]; then
  say "installing npm packages ${npms[*]}"
  npm install -g --no-audit --no-fund --loglevel=error "${npms[@]}" >/dev/null
fi

status=0
for m in "${missing[@]}"; do
  read -r cmd kind pkg <<<"$m"
  if ! command -v "$cmd" >/dev/null 2>&1; then
    say "$cmd is still missing after installing the $kind package $pkg"
    status=1
  fi
done
exit $status
