#!/usr/bin/env bash
# Time the action's install step (see action.yml): a venv without pip, filled by the
# outer Python's pip from the action's own directory. Cold = fresh venv and an empty pip
# cache (every wheel downloaded); warm = fresh venv and the cache the cold run filled
# (what the action's cache step restores). When uv is on PATH it is timed the same way.
# Usage: scripts/install_time.sh [PYTHON]   (default: python3)
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

uv_install() { # $1: cache dir
  rm -rf "$work/venv"
  uv venv --quiet --python "$PY" "$work/venv"
  UV_CACHE_DIR="$1" uv pip install --quiet --python "$work/venv/bin/python" "$work/src"
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
measure pip pip_install
if command -v uv >/dev/null 2>&1; then measure uv uv_install; else echo "uv   not on PATH: skipped"; fi
