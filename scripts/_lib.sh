# shellcheck shell=bash
# Shared by scripts/run and scripts/test; sourced, not run. Bash only.
#
# Everything here is idempotent: a second run finds the virtualenv and the installed
# requirements in place and goes straight to work.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
VPY="$VENV/bin/python"

# Colour only for a person at a terminal; CI logs get plain text.
if [ -t 2 ]; then _b=$'\033[1m' _y=$'\033[33m' _r=$'\033[31m' _0=$'\033[0m'; else _b='' _y='' _r='' _0=''; fi
say()  { printf '%s==> %s%s\n' "$_b" "$*" "$_0" >&2; }
warn() { printf '%sWARNING: %s%s\n' "$_y" "$*" "$_0" >&2; }
die()  { printf '%sERROR: %s%s\n' "$_r" "$*" "$_0" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo (non-interactive
# when there is no terminal to type a password into, as in CI).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        if [ -t 0 ]; then sudo "$@"; else sudo -n "$@"; fi
    else
        die "'$*' needs root, and sudo is not installed. Run it as root, then run this script again."
    fi
}

# A Python 3.11 or newer: $PLINTH_PYTHON if set, else python3.11, else python3.
find_python() {
    local candidate
    for candidate in ${PLINTH_PYTHON:-} python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    die "Plinth needs Python 3.11 or newer (set PLINTH_PYTHON to its path). On Debian: apt-get install python3 python3-venv"
}

# Create .venv if it is missing or broken (a venv whose Python moved or was removed).
ensure_venv() {
    if [ -x "$VPY" ] && "$VPY" -c 'import sys, pip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        return 0
    fi
    local python
    python="$(find_python)"
    if [ -e "$VENV" ]; then
        warn ".venv is unusable; creating it again"
        rm -rf "$VENV"
    fi
    say "Creating .venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv "$VENV"; then
        rm -rf "$VENV"
        die "Could not create a virtualenv. On Debian: apt-get install python3-venv (or python3.11-venv)"
    fi
}

# pip install a lock file (requirements.lock, requirements-dev.lock: every package,
# direct and indirect, pinned with its hashes; see README "Dependencies"), unless exactly
# this file was installed into this .venv already (a hash of it and the interpreter is
# kept in .venv). --require-hashes: a download that differs from the one locked is refused.
install_requirements() {
    local stamp want
    stamp="$VENV/.plinth-requirements-$(basename "$1").sha256"
    want="$( { "$VPY" --version; cat "$1"; } | sha256sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "Installing Python packages from $(basename "$1")"
    "$VPY" -m pip install --disable-pip-version-check --no-input --progress-bar off -q \
        --require-hashes -r "$1" \
        || die "pip install failed (see above)"
    echo "$want" >"$stamp"
}

# Is a TCP port accepting connections? (No dependency on nc or bash's /dev/tcp quirks.)
port_open() {
    "$VPY" - "$1" "$2" <<'EOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
EOF
}
