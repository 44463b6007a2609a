"""Postfix: main.cf and master.cf.

>>> from mailconf import postfix
>>> doc = postfix.parse_main(b"myhostname = mail.example.com\\nmynetworks = 127.0.0.0/8\\n")
>>> doc.get("mynetworks").value
'127.0.0.0/8'
>>> master = postfix.parse_master(b"submission inet n - y - - smtpd\\n  -o smtpd_tls_security_level=encrypt\\n")
>>> master.get("submission", "inet").override("smtpd_tls_security_level").value
'encrypt'

``load(directory)`` reads main.cf and master.cf together into a
:class:`mailconf.postfix.config.PostfixConfig`, whose ``effective()`` gives the values Postfix
uses (``-o`` overrides, main.cf, version defaults, ``$name`` expansion).
"""

from __future__ import annotations

import os

from mailconf import _paths
from mailconf.postfix.document import (
    MainDocument,
    MasterDocument,
    Override,
    Parameter,
    Service,
    parse_main,
    parse_master,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from mailconf.postfix.config import PostfixConfig

__all__ = [
    "MainDocument",
    "MasterDocument",
    "Override",
    "Parameter",
    "Service",
    "load",
    "parse_main",
    "parse_master",
]


def load(directory: str | Path, *, version: str | None = None) -> PostfixConfig:
    """Read ``directory``/main.cf and ``directory``/master.cf (either may be absent).

    ``version`` is the target Postfix version (e.g. "2.6", "3.7"); by default the installed
    Postfix's, or the newest the catalogue knows. Raises :class:`mailconf.ParseError` for a file
    Postfix rejects.
    """
    from mailconf.postfix.config import PostfixConfig

    root = os.fspath(directory)
    main_path, master_path = os.path.join(root, "main.cf"), os.path.join(root, "master.cf")
    main = parse_main(_paths.read_bytes(main_path), path=main_path) if os.path.isfile(main_path) else None
    master = parse_master(_paths.read_bytes(master_path), path=master_path) if os.path.isfile(master_path) else None
    if version is None:
        return PostfixConfig(directory=root, main=main, master=master)
    return PostfixConfig(directory=root, main=main, master=master, version=version)
