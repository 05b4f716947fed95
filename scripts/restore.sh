#!/usr/bin/env bash
# Usage: scripts/restore.sh [--force] FILE
#
# Restores a scripts/backup.sh archive into the database at DATABASE_URL, in one transaction:
# either everything is restored or nothing is. The target must be EMPTY (no tables, views or
# sequences outside the system schemas) — create a new database, or a new Neon branch, and
# point DATABASE_URL at it. --force restores over a non-empty database, dropping the objects
# the archive contains first (--clean --if-exists); anything else in it is left as it is.
# Objects are owned by the connecting user; no superuser is needed.
set -euo pipefail

die() { echo "restore: $*" >&2; exit 1; }

force=false
if [[ ${1:-} == --force ]]; then force=true; shift; fi
[[ $# -eq 1 ]] || die "usage: $0 [--force] FILE"
file=$1
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set"
[[ -r $file ]] || die "cannot read $file"
command -v pg_restore >/dev/null || die "pg_restore not found (install the PostgreSQL client tools)"
pg_restore --list "$file" >/dev/null || die "$file is not a pg_dump custom-format archive"

psql_value() { psql "$DATABASE_URL" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }

objects=$(psql_value "
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'") \
  || die "cannot connect to the database at DATABASE_URL"

clean=()
if ((objects > 0)); then
  $force || die "the target database is not empty ($objects tables/views/sequences); restore into an empty database, or pass --force"
  echo "restore: --force: replacing the archive's objects in a non-empty database ($objects objects)" >&2
  clean=(--clean --if-exists)
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
  --dbname="$DATABASE_URL" "$file"
psql_value 'ANALYZE' >/dev/null

tables=$(psql_value "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
echo "restore: restored $file ($tables tables)" >&2
