#!/usr/bin/env bash
# run.sh — what make run does: find or start PostgreSQL, prepare the database
# (migrations, a first admin when it has no users) and serve Assure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=bin/assure

url=${DATABASE_URL:-$(scripts/database.sh assure)}
export DATABASE_URL=$url
echo "Database: $url"

"$bin" migrate >/dev/null

# A database without users gets a local admin; its login is kept in var/ so
# later runs can show it again (only a hash is stored in the database).
mkdir -p var
login=$("$bin" user bootstrap)
if [ -n "$login" ]; then
  echo "$login" > var/local-admin.txt
  chmod 600 var/local-admin.txt
fi
if [ -f var/local-admin.txt ]; then
  echo "Local $(cat var/local-admin.txt)"
fi

# A small demo sector, so there is something to look at; loading it again
# changes nothing.
"$bin" seed demo

# Local keys, kept in var/ beside the admin's login and never in the
# database: one seals second-factor secrets at rest, the other signs the
# audit checkpoints written to var/checkpoints every hour.
if [ ! -f var/totp.key ]; then
  "$bin" totp keygen -o var/totp.key
fi
if [ ! -f var/audit.key ]; then
  "$bin" audit keygen -o var/audit.key | sed -n '/BEGIN PUBLIC KEY/,$p' > var/audit.pub
fi

exec "$bin" serve --addr "${ASSURE_ADDR:-:8080}" --totp-key-file var/totp.key \
  --audit-key var/audit.key --checkpoint-dir var/checkpoints
