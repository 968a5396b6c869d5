#!/usr/bin/env bash
# database.sh NAME — prints the URL of PostgreSQL database NAME, making sure a
# server runs and the database exists.
#
# It uses the server on 127.0.0.1:5432 when one answers. Otherwise, when
# PostgreSQL's binaries are installed, it starts a private cluster under
# ./var/pg (as the postgres user when run as root) on port ASSURE_PG_PORT
# (default 54329) and uses that.
set -euo pipefail

name=${1:?usage: database.sh NAME}
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
PATH=$PATH:${bindir:-/nonexistent}

say() { echo "database.sh: $*" >&2; }

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  host=127.0.0.1 port=5432
else
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    say "no PostgreSQL answers on 127.0.0.1:5432 and no PostgreSQL binaries are installed"
    say "install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL"
    exit 1
  fi
  data=$root/var/pg
  host=127.0.0.1 port=${ASSURE_PG_PORT:-54329}
  as_owner=()
  if [ "$(id -u)" = 0 ]; then
    as_owner=(runuser -u postgres --)
  fi
  mkdir -p "$data"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$data"
    chmod 700 "$data"
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $data"
    "${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! pg_isready -q -h "$host" -p "$port" 2>/dev/null; then
    say "starting the private cluster on $host:$port"
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $port -k $data -c listen_addresses=$host" start >/dev/null
  fi
fi

base=postgres://postgres@$host:$port
if ! psql -X -q -d "$base/postgres" -tAc "select 1 from pg_database where datname = '$name'" | grep -q 1; then
  say "creating database $name"
  psql -X -q -d "$base/postgres" -c "create database \"$name\"" >/dev/null
fi
echo "$base/$name"
