#!/bin/sh
# Create the project's virtual environment (used by `make install`): ensure-venv.sh PYTHON VENV.
#
# Python 3.11+ is the only requirement. On Debian and Ubuntu the interpreter's `venv` module
# cannot install pip until the distribution's venv package is there (python3-venv, which brings
# ensurepip); it is installed here when missing, as root or with `sudo -n`, and otherwise named in
# the error. An environment left half made by an earlier failure (no pip in it) is made again.
set -eu
PY=${1:-python3}
VENV=${2:-.venv}

log() { echo "ensure-venv: $*" >&2; }

if ! command -v "$PY" >/dev/null 2>&1; then
  log "$PY not found; install Python 3.11 or newer (Debian: apt-get install python3)"
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  log "$PY is Python $("$PY" -c 'import platform; print(platform.python_version())'); jakguide needs 3.11 or newer (make PYTHON=python3.11 ...)"
  exit 1
fi
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  exit 0
fi

if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  version=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  packages="python3-venv python${version}-venv"
  if ! command -v apt-get >/dev/null 2>&1; then
    log "$PY cannot create a virtual environment (no ensurepip); install your distribution's venv package for Python $version"
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    log "$PY -m venv needs Debian's venv package: run  sudo apt-get install $packages"
    exit 1
  fi
  log "installing $packages ($PY -m venv needs ensurepip)"
  export DEBIAN_FRONTEND=noninteractive
  out=$(mktemp)
  # shellcheck disable=SC2086  # SUDO may be empty; two package names
  if ! { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends $packages; } >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
fi

log "creating $VENV with $PY"
"$PY" -m venv --clear "$VENV"
