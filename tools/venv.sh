#!/usr/bin/env bash
# Create or extend the course's virtual environment (called by `make`):
#     tools/venv.sh PYTHON VENV SPEC        e.g. tools/venv.sh python3 .venv ".[test]"
# Installs SPEC (the course, editable, with extras) under the exact pins of
# requirements/lock-pyX.Y.txt for the environment's Python X.Y, with uv (from PyPI, at
# $UV_VERSION, set in the Makefile; much faster) or, where uv cannot be had, pip. A failed install prints the
# installer's reason and removes VENV, so the next try starts clean.
set -euo pipefail
python=$1 venv=$2 spec=$3
UV_VERSION=${UV_VERSION:?set by the Makefile}

if [ ! -f "$venv/.installed-lab" ]; then rm -rf "$venv"; fi  # half-made by an earlier try
if [ -x "$venv/bin/python" ]; then python=$venv/bin/python; fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || {
    echo "Cannot run '$python': install Python 3.10 to 3.13, or say which, e.g." \
         "make lab PYTHON=python3.12"; exit 1; }
lock=requirements/lock-py$version.txt
if [ ! -f "$lock" ]; then
    echo "Python $version is not supported: the course is tested on Python 3.10 to 3.13" \
         "(requirements/lock-py3.*.txt). Choose one, e.g. make lab PYTHON=python3.12"
    exit 1
fi

fail() {
    echo "The installation failed (the installer's reason is above); $venv was removed." >&2
    echo "Fix the cause (or try another Python: make lab PYTHON=python3.12) and run make again." >&2
    rm -rf "$venv"
    exit 1
}
trap fail ERR

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
uv=$(command -v uv || true)
if [ -z "$uv" ] && { [ -x "$venv/bin/uv" ] || "$venv/bin/python" -m pip install --quiet \
        --disable-pip-version-check "uv==$UV_VERSION" >/dev/null 2>&1; }; then
    uv=$venv/bin/uv
fi
if [ -n "$uv" ]; then
    "$uv" pip install --quiet --python "$venv/bin/python" -c "$lock" -e "$spec"
else
    echo "(uv is not available: installing with pip, which takes a few minutes)"
    "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
        -c "$lock" -e "$spec" > "$venv/pip.log" 2>&1 || { tail -n 40 "$venv/pip.log"; false; }
fi
# The test install compiles the environment's bytecode (pip compiles what it installs, uv does
# not): where PYTHONDONTWRITEBYTECODE is set (CI images, containers) each of the suite's
# hundred-odd processes otherwise compiled numpy, scipy, scikit-learn and matplotlib again on
# import (a lesson's imports: 4.7 s instead of 2.0 s, measured). `make lab` stays lean without
# it (528 MB instead of 660): Python writes the bytecode of what a learner imports on first use.
# A file that does not compile (some packages ship Python 2 examples) is not an install error.
case "$spec" in
    *test*) "$venv/bin/python" -m compileall -qq -j 0 "$("$venv/bin/python" -c \
                'import sysconfig; print(sysconfig.get_path("purelib"))')" || : ;;
esac
# matplotlib's font cache now, so its one-time notice never reaches a notebook's stderr
MPLBACKEND=Agg "$venv/bin/python" -c "import matplotlib.pyplot"
