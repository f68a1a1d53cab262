"""Exceptions the CLI turns into one line on stderr and an exit code.

Exit codes: 0 success, 1 a result the user must act on (the audit), 2 usage or input error.
"""

from __future__ import annotations

from collections.abc import Sequence


class EcokgError(Exception):
    """An error the user can fix; the message is shown as one line without a traceback."""

    exit_code: int = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class InputError(EcokgError):
    """A file, query or value given to ecokg cannot be read or parsed."""


class QueryTimeout(InputError):
    """A query had no answer within its time limit (locally or from a server)."""


class UsageError(EcokgError):
    """The command was called the wrong way (unknown query, bad parameter, bad format...)."""


class Interrupted(EcokgError):
    """Ctrl-C during work that can say what it left undone (a request, an upload): exit 130,
    never mistaken for a timeout or a server error. The CLI reports it as the interruption."""

    exit_code = 130


def check_choice(option: str, value: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else a UsageError naming them."""
    if value not in choices:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(choices)}")
    return value
