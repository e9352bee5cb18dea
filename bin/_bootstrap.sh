# Shared by bin/demo and bin/test: find a Python >= 3.11, make .venv, install
# requirements only when they changed. Sourced, not run; expects to be in the
# repository root with `set -euo pipefail` already on.

_python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && _python_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 or newer is needed (tried python3.13, python3.12, python3.11, python3)." >&2
    return 1
}

# ensure_venv: create .venv unless it exists and works with Python >= 3.11.
ensure_venv() {
    if [[ -x .venv/bin/python ]] && _python_ok .venv/bin/python; then
        return 0
    fi
    local python
    python=$(find_python)
    if [[ -e .venv ]]; then
        echo "Recreating .venv (it does not run a Python >= 3.11)…" >&2
        rm -rf .venv
    fi
    echo "Creating .venv with $python ($("$python" --version 2>&1))…" >&2
    if ! "$python" -m venv .venv; then
        echo "error: '$python -m venv' failed; on Debian/Ubuntu install the python3-venv package." >&2
        rm -rf .venv
        return 1
    fi
}

# ensure_requirements FILE...: pip-install the first file when the sha256 of
# all the given files (the first one plus those it includes with -r) differs
# from the stamp left by the last successful install.
ensure_requirements() {
    local main=$1
    local stamp=".venv/.installed-${main//\//_}.sha256"
    local digest
    digest=$(.venv/bin/python - "$@" <<'PY'
import hashlib
import sys

digest = hashlib.sha256()
for name in sys.argv[1:]:
    with open(name, "rb") as handle:
        digest.update(name.encode() + b"\0" + handle.read() + b"\0")
print(digest.hexdigest())
PY
)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$digest" ]]; then
        return 0
    fi
    echo "Installing $main into .venv…" >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$main"
    echo "$digest" >"$stamp"
}
