#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine (run as root, or with sudo available):
# installs Postfix and Dovecot from Debian's packages (the oracles), the package with its dev
# extras in .venv, then runs ruff, mypy --strict and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-managesieved
          dovecot-sieve dovecot-mysql dovecot-pgsql dovecot-ldap openssl git)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
pip_quiet() { .venv/bin/python -m pip "$@" 2> >(grep -v '^WARNING: Location' >&2); }
pip_quiet install -q --upgrade pip >/dev/null
pip_quiet install -q -e '.[dev]'

echo "== ruff"
py_dirs=(mailconf tests scripts benchmarks)
.venv/bin/ruff check "${py_dirs[@]}"
.venv/bin/ruff format --check "${py_dirs[@]}" || { echo "ruff format: run '.venv/bin/ruff format ${py_dirs[*]}'"; exit 1; }
echo "== mypy --strict"
.venv/bin/mypy
echo "== pytest"
if [ -n "${CI:-}" ]; then export HYPOTHESIS_PROFILE=ci; fi
.venv/bin/python -m pytest "$@"
