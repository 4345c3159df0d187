# Sourced by the scripts: create .venv (Python 3.11+) and install the pinned packages
# from the given requirements file when it changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "error: could not create a virtual environment; on Debian: apt-get install python3-venv" >&2
    exit 1; }
fi
REQUIREMENTS="$1"
STAMP=".venv/.installed-$(basename "$REQUIREMENTS")"
if [ ! -f "$STAMP" ] || [ -n "$(find requirements*.txt -newer "$STAMP")" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export FLASK_APP=wsgi
