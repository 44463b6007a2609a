import gc

# Before anything else is imported: the cyclic collector only costs time in a short-lived
# command (see mailconf.cli.main).
gc.disable()

from mailconf.cli import run_and_exit  # noqa: E402

run_and_exit()
