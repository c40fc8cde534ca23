#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:PORT with a database `test` for the store
# tests, then print the line that exports the URL they use (`make system` and `make pytest` run it):
#
#   eval "$(.ci/ensure-postgres.sh)"   -> JAKGUIDE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/test
#
# PORT is JAKGUIDE_TEST_PG_PORT (default 5432). Order: a server that already answers there; else
# the local cluster on that port, started; else a cluster made on that port (`jakguide`, with the
# newest installed server version), PostgreSQL being installed from the distribution's packages
# first when missing. Loopback connections are set to "trust" in a cluster this script starts or
# makes (a test machine, never a production server). Actions are logged on stderr; when a server
# already answers nothing is logged. A URL already set in JAKGUIDE_TEST_POSTGRES_URL (your own
# server) is printed back unchanged and nothing is checked.
set -euo pipefail

HOST=127.0.0.1
PORT="${JAKGUIDE_TEST_PG_PORT:-5432}"
DB=test
URL="postgresql://postgres@${HOST}:${PORT}/${DB}"

if [ -n "${JAKGUIDE_TEST_POSTGRES_URL:-}" ]; then
  echo "export JAKGUIDE_TEST_POSTGRES_URL=${JAKGUIDE_TEST_POSTGRES_URL}"
  exit 0
fi

log() { echo "ensure-postgres: $*" >&2; }

psql_admin() { psql -h "$HOST" -p "$PORT" -U postgres -d postgres "$@"; }

answers() {
  command -v psql >/dev/null 2>&1 || return 1
  psql_admin -Atqc 'select 1' >/dev/null 2>&1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    log "needs root or sudo -n for: $*"
    return 1
  fi
}

quietly() {  # apt's and dpkg's output only when the command fails
  local out
  out="$(mktemp)"
  if ! "$@" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
}

server_installed() {
  command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(ls /usr/lib/postgresql 2>/dev/null)" ]
}

# "VERSION NAME" of the cluster configured on PORT, if any.
cluster_on_port() {
  pg_lsclusters -h 2>/dev/null | awk -v port="$PORT" '$3 == port { print $1, $2; exit }'
}

trust_loopback() {
  local hba="$1"
  if ! as_root grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    log "allowing loopback connections without a password in $hba"
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
}

start_cluster() {
  local found version name
  found="$(cluster_on_port)"
  if [ -z "$found" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
    name=jakguide
    log "creating cluster $version/$name on port $PORT"
    as_root pg_createcluster --port="$PORT" "$version" "$name" >&2
  else
    read -r version name <<<"$found"
  fi
  trust_loopback "/etc/postgresql/$version/$name/pg_hba.conf"
  log "starting cluster $version/$name (port $PORT)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start >&2 ||
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload >&2 || true
  for _ in $(seq 1 30); do
    answers && return 0
    sleep 1
  done
  log "cluster $version/$name did not answer on ${HOST}:${PORT}; see /var/log/postgresql/"
  return 1
}

if ! answers; then
  if ! server_installed; then
    log "installing PostgreSQL from the distribution's packages"
    export DEBIAN_FRONTEND=noninteractive
    quietly as_root apt-get update
    quietly as_root apt-get install -y --no-install-recommends postgresql
  fi
  start_cluster
fi

if ! psql_admin -Atqc "select 1 from pg_database where datname = '${DB}'" | grep -q 1; then
  log "creating database ${DB}"
  psql_admin -qc "create database ${DB}" >&2
fi

echo "export JAKGUIDE_TEST_POSTGRES_URL=${URL}"
