#!/usr/bin/env bash
# Time the action's install step (see action.yml) both ways it can run: uv (taken from PATH,
# or fetched with pip as the pinned wheel when the runner has none, as the action does) and
# the pip fallback (a venv without pip, filled by the outer Python's pip). Cold = fresh venv
# and empty caches (every wheel downloaded, uv too); warm = fresh venv and the caches the
# cold run filled (what the action's cache step restores).
# Usage: [INSTALLERS="uv pip"] scripts/install_time.sh [PYTHON]   (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Build from a clean copy of the tracked files, as the runner checks the action out.
git archive --format=tar HEAD | (mkdir -p "$work/src" && tar -x -C "$work/src")

now() { "$PY" -c 'import time; print(time.monotonic())'; }
elapsed() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

pip_install() { # $1: cache dir
  rm -rf "$work/venv"
  "$PY" -m venv --without-pip "$work/venv"
  PIP_CACHE_DIR="$1" "$PY" -m pip --python "$work/venv/bin/python" install \
    --disable-pip-version-check --no-input --quiet "$work/src"
}

UV_VERSION="$(sed -n 's/^ *UV_VERSION: *//p' action.yml)"
uv_install() { # $1: cache dir
  rm -rf "$work/venv" "$work/uv-bin"
  local uv
  uv="$(command -v uv || true)"
  if [ -z "$uv" ]; then
    PIP_CACHE_DIR="$1/pip" "$PY" -m pip install --disable-pip-version-check --no-input \
      --quiet --target "$work/uv-bin" "uv==$UV_VERSION"
    uv="$work/uv-bin/bin/uv"
  fi
  "$uv" venv --quiet --python "$PY" "$work/venv"
  UV_CACHE_DIR="$1" "$uv" pip install --quiet --python "$work/venv/bin/python" "$work/src"
}

quiet() { # run, keeping the installer's chatter in a log shown only on failure
  if ! "$@" >"$work/log" 2>&1; then cat "$work/log" >&2; exit 1; fi
}

measure() { # $1: label, $2: install function
  local cache="$work/cache-$1" t0 t1 t2
  rm -rf "$cache"
  t0="$(now)"; quiet "$2" "$cache"; t1="$(now)"
  quiet "$2" "$cache"; t2="$(now)"
  "$work/venv/bin/pr-router" --version >/dev/null
  printf '%-4s cold %6ss   warm %6ss\n' "$1" "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")"
}

echo "pr-router install time ($("$PY" --version), $(uname -sm))"
for installer in ${INSTALLERS:-uv pip}; do
  case "$installer" in
    uv)
      command -v uv >/dev/null 2>&1 || echo "uv not on PATH: uv $UV_VERSION fetched with pip"
      measure uv uv_install ;;
    pip) measure pip pip_install ;;
    *) echo "unknown installer: $installer" >&2; exit 2 ;;
  esac
done
