"""Rule modules, one per family: syn, tls, cert, auth, relay, xref, leg (and mailman, by its helper).

Each module registers its rules with :func:`mailconf.policy.registry.rule` at import time; the
registry imports them on first use (:func:`mailconf.policy.registry.load_rules`). Shared helpers
for reading effective values live in :mod:`mailconf.policy.rules._common`.
"""
