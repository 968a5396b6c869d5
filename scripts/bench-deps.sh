#!/usr/bin/env bash
# bench-deps.sh — makes sure the load generators bench/ drives are installed:
# wrk for the HTTP side of the throughput figures and pgbench for their SQL
# side. make bench runs it first; make test does not (the suite never calls
# them). Silent when both are there. When one is missing it installs its
# Debian package as root on a machine with apt-get, and otherwise stops,
# naming the package to install.
set -euo pipefail

# A command on PATH, the Debian package it comes from and how to tell that
# it runs: "path" when being on PATH is enough, "version" when it must
# answer --version. pgbench is a server program in Debian: the wrapper on
# PATH (postgresql-client-common) runs the installed server's
# (postgresql-15 here) and fails without one. wrk answers --version with
# status 1, so being on PATH is its test.
deps='
wrk      wrk            path
pgbench  postgresql-15  version
'

say() { echo "bench-deps: $*" >&2; }

runs() { # runs CMD HOW
  command -v "$1" >/dev/null 2>&1 || return 1
  [ "$2" = path ] || "$1" --version >/dev/null 2>&1
}

missing=()
while read -r cmd pkg how; do
  [ -n "${cmd:-}" ] || continue
  runs "$cmd" "$how" || missing+=("$pkg")
done <<<"$deps"

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "missing Debian packages: ${missing[*]}"
  say "as root: apt-get install ${missing[*]}"
  exit 1
fi

say "installing Debian packages ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

status=0
while read -r cmd pkg how; do
  [ -n "${cmd:-}" ] || continue
  if ! runs "$cmd" "$how"; then
    say "$cmd is still missing after installing $pkg"
    status=1
  fi
done <<<"$deps"
exit $status
