#!/usr/bin/env bash
# test-deps.sh — makes sure the programs and files the test suite uses are
# installed. make test runs it first. It says nothing when everything is
# there. When something is missing it installs it as root on a machine with
# apt-get, and otherwise stops at once, naming what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# Where npm packages the tests read go: inside the checkout, git-ignored, so
# each checkout has the version it pins and nothing is installed globally.
npm_prefix=var/npm

# One line per dependency: what the tests use, where its package comes from
# and the package.
#   deb: a command on PATH, from a Debian package.
#   npm: a file under $npm_prefix/node_modules, from an npm package pinned
#        as name@version; installed again when another version is there.
deps='
pdftotext                  deb  poppler-utils
qpdf                       deb  qpdf
soffice                    deb  libreoffice-calc-nogui
chromium                   deb  chromium
axe-core/axe.min.js        npm  axe-core@4.14.1
ical.js/dist/ical.es5.cjs  npm  ical.js@2.2.1
node                       deb  nodejs
pg_dump                    deb  postgresql-client
pg_restore                 deb  postgresql-client
psql                       deb  postgresql-client
'

say() { echo "test-deps: $*" >&2; }

# installed_version PACKAGE prints the version of PACKAGE under $npm_prefix,
# or nothing.
installed_version() {
  local manifest=$npm_prefix/node_modules/$1/package.json
  [ -f "$manifest" ] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

# present WHAT KIND PACKAGE reports whether the dependency is in place.
present() {
  case $2 in
    deb) command -v "$1" >/dev/null 2>&1 ;;
    npm) [ -f "$npm_prefix/node_modules/$1" ] && [ "$(installed_version "${3%@*}")" = "${3##*@}" ] ;;
  esac
}

missing=() debs=() npms=()
add() { # add ARRAY WORD: append WORD unless ARRAY already holds it
  local -n list=$1
  local w
  for w in ${list[@]+"${list[@]}"}; do [ "$w" = "$2" ] && return; done
  list+=("$2")
}
all_npms=()
while read -r what kind pkg; do
  [ -n "${what:-}" ] || continue
  case $kind in
    deb) ;;
    npm) [[ $pkg == ?*@?* ]] || { say "npm package $pkg for $what in $0 needs a pinned version (name@version)"; exit 2; }
         add all_npms "$pkg" ;;
    *) say "unknown package kind '$kind' for $what in $0"; exit 2 ;;
  esac
  present "$what" "$kind" "$pkg" && continue
  missing+=("$what $kind $pkg")
  case $kind in
    deb) add debs "$pkg" ;;
    npm) add npms "$pkg" ;;
  esac
done <<<"$deps"
# npm makes the folder hold just what it is asked to install, removing the
# rest: when one npm package is missing, every one is installed again.
[ ${#npms[@]} -gt 0 ] && npms=("${all_npms[@]}")

[ ${#missing[@]} -eq 0 ] && exit 0

# npm packages need npm itself, which Debian ships as the package npm.
if [ ${#npms[@]} -gt 0 ] && ! command -v npm >/dev/null 2>&1; then
  add debs npm
fi

# npm installs into the checkout without root; Debian packages need it.
need_root=${#debs[@]}
if [ "$need_root" -gt 0 ] && { [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; }; then
  for m in "${missing[@]}"; do
    read -r what kind pkg <<<"$m"
    case $kind in
      deb) say "missing $what: install the Debian package $pkg (apt-get install $pkg)" ;;
      npm) say "missing $npm_prefix/node_modules/$what: install the npm package $pkg" ;;
    esac
  done
  say "as root: apt-get install ${debs[*]}"
  [ ${#npms[@]} -gt 0 ] && say "then: npm install --prefix $npm_prefix ${npms[*]}"
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
  say "installing npm packages ${npms[*]} into $npm_prefix"
  mkdir -p "$npm_prefix"
  npm install --prefix "$npm_prefix" --no-audit --no-fund --no-save --loglevel=error "${npms[@]}" >/dev/null
fi

status=0
for m in "${missing[@]}"; do
  read -r what kind pkg <<<"$m"
  if ! present "$what" "$kind" "$pkg"; then
    say "$what is still missing after installing the $kind package $pkg"
    status=1
  fi
done
exit $status
