"""SYN: syntax and validity (0xx any file, 1xx Postfix, 2xx Dovecot)."""

from __future__ import annotations

from mailconf.policy.registry import declare

# Reported by the engine itself.
declare("SYN001", "error", "file cannot be read or parsed as the daemon would")
declare("SYN007", "warning", "suppression comment that silences nothing, or names an unknown rule")
