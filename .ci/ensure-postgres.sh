#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the store tests, then print the
# URL they use. Order: a server that already answers; else start the local cluster; else install
# PostgreSQL from the distribution's packages and start it. Loopback connections are set to
# "trust" for a cluster this script starts (a CI machine, never a production server).
#
# Use:  eval "$(.ci/ensure-postgres.sh)"   -> exports JAKGUIDE_TEST_POSTGRES_URL
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DB=test
URL="postgresql://postgres@${HOST}:${PORT}/${DB}"

log() { echo "ensure-postgres: $*" >&2; }

answers() {
  command -v psql >/dev/null 2>&1 || return 1
  psql -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

trust_loopback() {
  local hba
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    [ -f "$hba" ] || continue
    if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
      log "allowing loopback connections without a password in $hba"
      as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
  done
}

start_cluster() {
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1 || true)"
  [ -n "$version" ] || return 1
  trust_loopback
  log "starting cluster $version/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || \
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload >&2 || true
  for _ in $(seq 1 30); do
    answers && return 0
    sleep 1
  done
  return 1
}

if answers; then
  log "a server already answers on ${HOST}:${PORT}"
elif start_cluster; then
  log "local cluster started"
else
  log "installing postgresql from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq postgresql >&2
  start_cluster || { log "PostgreSQL did not start"; exit 1; }
fi

if ! psql -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc \
  "select 1 from pg_database where datname = '${DB}'" | grep -q 1; then
  log "creating database ${DB}"
  psql -h "$HOST" -p "$PORT" -U postgres -d postgres -qc "create database ${DB}" >&2
fi

echo "export JAKGUIDE_TEST_POSTGRES_URL=${URL}"
