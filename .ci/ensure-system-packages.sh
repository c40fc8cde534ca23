#!/usr/bin/env bash
# What the test suite needs from the machine besides Python, from the distribution's packages
# (Debian/Ubuntu apt), installing only what is missing (`make system`, before `make pytest`):
#   - Chromium for the browser tests (the distribution's build, never a downloaded one), and
#     libatomic1, which the Node.js driver bundled with Playwright for Python needs;
#   - Pango, HarfBuzz-subset and a font for WeasyPrint PDFs;
#   - Java 17 or newer (a headless JRE) for the Spark tests.
# PostgreSQL is .ci/ensure-postgres.sh's job. Runs as root or with `sudo -n`; without either, or
# without apt, it names what is missing and fails.
set -euo pipefail

log() { echo "ensure-system-packages: $*" >&2; }

LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
has_lib() { "$LDCONFIG" -p 2>/dev/null | grep -qF "$1"; }

java_major() {
  # `openjdk version "17.0.15" ...` -> 17; `java version "1.8.0_392"` -> 1 (that is, too old).
  command -v java >/dev/null 2>&1 || return 0
  java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1
}

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
has_lib libatomic.so.1 || need+=(libatomic1)
has_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
has_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
major="$(java_major)"
[ "${major:-0}" -ge 17 ] || need+=(default-jre-headless)

[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${need[*]} (Debian package names); no apt-get here: install their equivalents"
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  log "missing: ${need[*]}; run  sudo apt-get install ${need[*]}  (or make test as root)"
  exit 1
fi

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

log "installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
quietly "${SUDO[@]}" apt-get update
quietly "${SUDO[@]}" apt-get install -y --no-install-recommends "${need[@]}"
log "installed ${need[*]}"
