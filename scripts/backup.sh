#!/usr/bin/env bash
# Usage: scripts/backup.sh [FILE]
#
# Dumps the database at DATABASE_URL into FILE (pg_dump custom format, compressed), or into
# ${BACKUP_DIR:-.}/equivalence-<UTC timestamp>.dump. Works against any Postgres, Neon included:
# TLS comes from the URL (?sslmode=require) and nothing needs a superuser (no owners, no
# grants in the archive). For Neon, use the direct endpoint, not the -pooler one.
# Prints the path of the finished archive on stdout; everything else goes to stderr.
set -euo pipefail

die() { echo "backup: $*" >&2; exit 1; }

[[ $# -le 1 ]] || die "usage: $0 [FILE]"
[[ -n ${DATABASE_URL:-} ]] || die "DATABASE_URL is not set"
command -v pg_dump >/dev/null || die "pg_dump not found (install the PostgreSQL client tools)"

file=${1:-${BACKUP_DIR:-.}/equivalence-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$file")"

# pg_dump refuses a server newer than itself; say so plainly before it does.
server_major=$(psql "$DATABASE_URL" -X -A -t -v ON_ERROR_STOP=1 -c 'SHOW server_version_num') \
  || die "cannot connect to the database at DATABASE_URL"
server_major=$((server_major / 10000))
client_major=$(pg_dump --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
((client_major >= server_major)) \
  || die "pg_dump $client_major is older than the server ($server_major): use client tools >= $server_major"

# Write next to the target and rename at the end, so a half-written dump never looks finished.
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" "$DATABASE_URL"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$partial" >/dev/null || die "pg_restore cannot read the archive just written"
mv "$partial" "$file"
trap - EXIT

echo "backup: wrote $file ($(du -h "$file" | cut -f1), server $server_major, pg_dump $client_major)" >&2
echo "$file"
