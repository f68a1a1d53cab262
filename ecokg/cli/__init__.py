"""The ``ecokg`` command line: a thin Typer layer over the library, one module per verb group.

``main(argv)`` runs in-process and never raises: errors become one line on stderr and an
exit code (0 success, 1 a result to act on, 2 usage or input error, 130 interrupted
(SIGINT), 143 terminated (SIGTERM), 70 internal error). The options the verbs share are
declared once in :mod:`ecokg.cli.options`.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from typing import Annotated

import typer

from ecokg import __version__, interrupts
from ecokg.cli.options import (
    DataOption,
    DebugOption,
    NoBundledOption,
    NoInferredOption,
    ReasonLimitOption,
    Shared,
    StoreOption,
)
from ecokg.errors import EcokgError, Interrupted

EXIT_INTERNAL_ERROR = 70
EXIT_INTERRUPTED = interrupts.EXIT_INTERRUPTED
EXIT_TERMINATED = interrupts.EXIT_TERMINATED

app = typer.Typer(
    name="ecokg",
    help="Knowledge graph of a territorial ecological restoration plan (国土空间生态修复规划): "
    "question it (ask, query, sparql), audit it, reason over it and publish it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ecokg {__version__}")
        raise typer.Exit(0)


@app.callback()
def _global_options(
    ctx: typer.Context,
    data: DataOption = None,
    store: StoreOption = None,
    no_bundled: NoBundledOption = False,
    no_inferred: NoInferredOption = False,
    reason_limit: ReasonLimitOption = None,
    debug: DebugOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    # Dataset options may also come before the verb; the verb merges them with its own.
    # --debug is read from argv by main() so that it also covers errors raised before here.
    ctx.obj = Shared(
        list(data or []),
        store,
        no_bundled,
        no_inferred,
        reason_limit=reason_limit,
        debug=debug,
    )


def _register_verbs() -> None:
    """Add the verbs, each defined in its own module over the library it drives."""
    from ecokg.cli import ask, audit, export, monitor, push, query, reason, serve, store

    app.command("info")(query.info)
    app.command("sparql")(query.sparql)
    app.command("query")(query.query)
    app.command("ask")(ask.ask)
    app.command("audit")(audit.audit)
    app.command("reason")(reason.reason)
    app.command("export")(export.export)
    app.command("push")(push.push)
    app.add_typer(monitor.app, name="monitor")
    app.command("evaluate")(monitor.evaluate)
    app.command("serve")(serve.serve)
    app.add_typer(store.app, name="store")


_register_verbs()


def _click_error_message(error: BaseException) -> str | None:
    """The message of a Click/Typer usage error (Typer may vendor its own Click)."""
    format_message = getattr(error, "format_message", None)
    if callable(format_message) and hasattr(error, "exit_code"):
        return " ".join(str(format_message()).split())
    return None


def _report(message: str, error: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    # One line, always: some parser messages span lines (e.g. lists of expected tokens).
    print(f"ecokg: error: {' '.join(message.split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return the exit code; never raises.

    Ctrl-C (SIGINT) stops any verb with exit 130, SIGTERM with 143: no file is replaced,
    temp files are removed, child processes are killed (:mod:`ecokg.interrupts`).
    """
    return _main(list(sys.argv[1:] if argv is None else argv), hard_exit=False)


def _main(args: list[str], *, hard_exit: bool) -> int:
    debug = "--debug" in args
    with interrupts.handling_signals(hard_exit=hard_exit):
        try:
            code = _invoke(args, debug)
            sys.stdout.flush()
        except (KeyboardInterrupt, interrupts.Terminated) as error:
            return _interrupted(error, debug)
        except BrokenPipeError:
            return _reader_gone()
        # Typer turns Ctrl-C inside a verb into a silent exit 130; a library may swallow it
        if interrupts.interrupted() or code == interrupts.EXIT_INTERRUPTED:
            return _interrupted(KeyboardInterrupt(), debug)
        return code


def _invoke(args: list[str], debug: bool) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args or ["--help"], prog_name="ecokg", standalone_mode=False)
    except Interrupted as error:  # it can say what the interruption left undone
        raise KeyboardInterrupt(error.message) from error
    except EcokgError as error:
        interrupts.raise_if_interrupted()  # a consequence of the interruption, not the cause
        _report(error.message, error, debug)
        return error.exit_code
    except SystemExit as error:
        # Typer turns a broken stdout pipe into exit 1 behind wrapped sys.stdout/stderr.
        context = error.__context__
        if isinstance(context, OSError) and context.errno == errno.EPIPE:
            for name in ("stdout", "stderr"):
                stream = getattr(sys, name)
                setattr(sys, name, getattr(stream, "wrapped", stream))
            raise BrokenPipeError(errno.EPIPE, "broken pipe") from context
        raise
    except BrokenPipeError:
        raise
    except OSError as error:
        interrupts.raise_if_interrupted()
        if error.errno == errno.EPIPE:  # e.g. wrapped by a native serialiser
            raise BrokenPipeError(errno.EPIPE, "broken pipe") from error
        _report(
            f"internal error: {type(error).__name__}: {error} (rerun with --debug)", error, debug
        )
        return EXIT_INTERNAL_ERROR
    except Exception as error:
        interrupts.raise_if_interrupted()
        message = _click_error_message(error)
        if message is not None:
            _report(message, error, debug)
            return 2
        if type(error).__name__ == "Abort":  # Click's form of KeyboardInterrupt
            raise KeyboardInterrupt() from error
        _report(
            f"internal error: {type(error).__name__}: {error} (rerun with --debug)", error, debug
        )
        return EXIT_INTERNAL_ERROR
    return result if isinstance(result, int) else 0


def _interrupted(error: BaseException, debug: bool) -> int:
    interrupts.kill_children()
    terminated = isinstance(error, interrupts.Terminated) or (
        interrupts.interrupted() and interrupts.exit_code() == interrupts.EXIT_TERMINATED
    )
    said = str(error) if isinstance(error, KeyboardInterrupt) else ""
    _report("terminated" if terminated else said or "interrupted", error, debug)
    return interrupts.EXIT_TERMINATED if terminated else interrupts.EXIT_INTERRUPTED


def _reader_gone() -> int:
    """stdout's reader left (``ecokg export | head -1``): stop quietly, like ``cat``."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the flush at exit must not fail again
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file (e.g. captured by a test)
        pass
    return 0


def run() -> None:
    """Console-script entry point (a real process: a stuck native call cannot delay Ctrl-C)."""
    sys.exit(_main(sys.argv[1:], hard_exit=True))
