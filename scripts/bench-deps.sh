#!/usr/bin/env bash
# bench-deps.sh — makes sure the load generators bench/ drives are installed:
# wrk for the HTTP side of the throughput figures and pgbench for their SQL
# side. make bench runs it first; make test does not (the suite never calls
# them). Silent when both are there. When one is missing it installs its
# Debian package as root on a machine with apt-get, and otherwise stops,
# naming the package to install.
set -euo pipefail

# A command on PATH and the Debian package it comes from. pgbench is a
# server program in Debian: the wrapper on PATH (postgresql-client-common)
# runs the one of the installed server (postgresql-15 here).
deps='
wrk      wrk
pgbench  postgresql-15
'

say() { echo "bench-deps: $*" >&2; }

missing=()
while read -r cmd pkg; do
  [ -n "${cmd:-}" ] || continue
  # pgbench on PATH is a wrapper that fails when no server has the program.
  if command -v "$cmd" >/dev/null 2>&1 && "$cmd" --version >/dev/null 2>&1; then
    continue
  fi
  missing+=("$pkg")
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
while read -r cmd pkg; do
  [ -n "${cmd:-}" ] || continue
  if ! command -v "$cmd" >/dev/null 2>&1; then
    say "$cmd is still missing after installing $pkg"
    status=1
  fi
done <<<"$deps"
exit $status
