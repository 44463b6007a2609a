#!/usr/bin/env bash
# Real Postfix 3.10 and Dovecot 2.4 (Debian 13, "trixie") as oracles on a Debian 12 machine.
#
# The test suite must pass on whichever Postfix and Dovecot the machine has: Debian 12 has 3.7 and
# 2.3, Debian 13 has 3.10 and 2.4. This script builds a trixie chroot with the real daemons and
# writes postconf/doveconf wrappers that run them there, with the repository's parent directory
# and a scratch TMPDIR mounted at the same paths inside, so that tests and corpus_check.py can
# hand them the same file names:
#
#   sudo bash scripts/debian13_oracles.sh [CHROOT]        # default /srv/trixie; idempotent
#   PATH=$CHROOT-bin:$PATH TMPDIR=$CHROOT-tmp bash scripts/test.sh -k oracle
#   PATH=$CHROOT-bin:$PATH TMPDIR=$CHROOT-tmp .venv/bin/python ../shared/tools/corpus_check.py --oracle
#
# It is a developer's tool: CI runs on the machine's own packages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/srv/trixie}
shared=$(cd .. && pwd)

if [ ! -x "$root/usr/sbin/postconf" ] || [ ! -x "$root/usr/bin/doveconf" ]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
    debootstrap --variant=minbase \
        --include=postfix,dovecot-core,dovecot-imapd,dovecot-pop3d,dovecot-lmtpd,dovecot-sieve,dovecot-managesieved,dovecot-mysql,dovecot-pgsql,dovecot-sqlite,dovecot-ldap \
        trixie "$root" http://deb.debian.org/debian
fi

mkdir -p "$root-tmp" "$root$shared" "$root$root-tmp" "$root-bin"
mountpoint -q "$root$shared" || mount --bind "$shared" "$root$shared"
mountpoint -q "$root$root-tmp" || mount --bind "$root-tmp" "$root$root-tmp"

for tool in postconf doveconf; do
    # argv[0] stays the bare name: postconf prints it in its messages
    cat > "$root-bin/$tool" <<WRAPPER
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin exec chroot "$root" $tool "\$@"
WRAPPER
    chmod +x "$root-bin/$tool"
done
"$root-bin/postconf" -h mail_version
"$root-bin/doveconf" -c /dev/null -n 2>/dev/null | head -1 || true
