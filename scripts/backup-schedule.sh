#!/usr/bin/env bash
# The pg-backup service of docker-compose.prod.yml: one scripts/backup.sh dump a day at
# BACKUP_HOUR_UTC, kept as BACKUP_KEEP_DAYS daily, BACKUP_KEEP_WEEKS weekly and
# BACKUP_KEEP_MONTHS monthly archives under BACKUP_DIR/{daily,weekly,monthly}. Weekly and
# monthly copies are hard links to the first daily dump of their week / month (no extra space).
# On start it dumps at once unless today's dump exists. `--once`: one cycle, then exit.
set -euo pipefail

dir=${BACKUP_DIR:-/backups}
hour=${BACKUP_HOUR_UTC:-3}
keep_days=${BACKUP_KEEP_DAYS:-7}
keep_weeks=${BACKUP_KEEP_WEEKS:-4}
keep_months=${BACKUP_KEEP_MONTHS:-6}
here=$(cd "$(dirname "$0")" && pwd)

log() { echo "$(date -u +%FT%TZ) backup-schedule: $*" >&2; }

# Keep the newest $2 archives of directory $1 (names sort by time).
prune() {
  find "$1" -maxdepth 1 -name '*.dump' | sort -r | tail -n +"$(($2 + 1))" | xargs -r rm -f --
}

cycle() {
  mkdir -p "$dir/daily" "$dir/weekly" "$dir/monthly"
  local file
  file=$(bash "$here/backup.sh" "$dir/daily/equivalence-$(date -u +%Y%m%dT%H%M%SZ).dump")
  local week="$dir/weekly/equivalence-$(date -u +%G-W%V).dump"
  local month="$dir/monthly/equivalence-$(date -u +%Y-%m).dump"
  [[ -e $week ]] || ln "$file" "$week"
  [[ -e $month ]] || ln "$file" "$month"
  prune "$dir/daily" "$keep_days"
  prune "$dir/weekly" "$keep_weeks"
  prune "$dir/monthly" "$keep_months"
  log "kept $(ls "$dir/daily" | wc -l) daily, $(ls "$dir/weekly" | wc -l) weekly, $(ls "$dir/monthly" | wc -l) monthly"
}

if [[ ${1:-} == --once ]]; then cycle; exit 0; fi

if ! compgen -G "$dir/daily/equivalence-$(date -u +%Y%m%d)T*.dump" >/dev/null; then
  cycle || log "backup FAILED; next attempt at the scheduled hour"
fi
while true; do
  now=$(date -u +%s)
  next=$(date -u -d "today $hour:00" +%s)
  ((next > now)) || next=$(date -u -d "tomorrow $hour:00" +%s)
  log "next backup at $(date -u -d "@$next" +%FT%TZ)"
  sleep $((next - now))
  # A failed dump is retried in 15 minutes; the healthcheck turns red after 26 hours without one.
  until cycle; do log "backup FAILED; retrying in 15 minutes"; sleep 900; done
done
