"""Stopping cleanly: Ctrl-C (SIGINT) and SIGTERM, time limits, and child processes.

- :func:`handling_signals` (used by the CLI's ``main``) turns SIGINT into KeyboardInterrupt
  and SIGTERM into :class:`Terminated`, and records that the run was interrupted
  (:func:`interrupted`): an atomic write checks it before replacing its target, so an
  interruption that a library swallowed still leaves the target untouched. With
  ``hard_exit`` (the real process, not an in-process test) a watchdog thread also ends the
  process within :data:`GRACE_SECONDS` when the main thread is stuck in native code that
  releases the GIL: Python runs signal handlers only between bytecodes of the main thread.
- :func:`run_in_child` runs a function in a forked child (the parent's memory inherited
  copy-on-write) and returns the bytes it produced, killing the child on timeout or on a
  signal: the way to bound work in native code that offers no cancel (pyoxigraph queries).
- :func:`die_with_parent` is a ``preexec_fn`` for ``subprocess``: the child gets SIGKILL when
  ecokg dies, however it dies (Linux; a no-op elsewhere).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.pool
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM
# How long the watchdog lets the main thread stop by itself before ending the process.
GRACE_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM was received (a BaseException, so ``except Exception`` does not catch it)."""


class TimeLimitExceeded(Exception):
    """:func:`run_in_child` ran out of time."""


class ChildFailed(Exception):
    """The child of :func:`run_in_child` died without answering."""


_received: list[int] = []  # signals received during this run (handled by handling_signals)
_children: set[int] = set()  # pids to kill when interrupted
_temp_paths: set[str] = set()  # files to remove if the watchdog ends the process


def interrupted() -> bool:
    """True once SIGINT or SIGTERM was received in this run."""
    return bool(_received)


def exit_code() -> int:
    """The exit code for the signal received (130 SIGINT, 143 SIGTERM)."""
    return EXIT_TERMINATED if signal.SIGTERM in _received else EXIT_INTERRUPTED


def raise_if_interrupted() -> None:
    """Raise the exception of the signal received, if any (for places that swallow it)."""
    if _received:
        raise Terminated() if signal.SIGTERM in _received else KeyboardInterrupt()


@contextlib.contextmanager
def temp_path(path: str | Path) -> Iterator[None]:
    """Register a temp file for removal should the watchdog end the process."""
    name = str(path)
    _temp_paths.add(name)
    try:
        yield
    finally:
        _temp_paths.discard(name)


def remember_child(pid: int) -> None:
    """Kill ``pid`` too when interrupted (e.g. a pool's worker)."""
    _children.add(pid)


def forget_child(pid: int) -> None:
    _children.discard(pid)


def wait_readable(fd: int, deadline: float | None) -> None:
    """Wait until ``fd`` can be read (or is closed); :class:`TimeLimitExceeded` at
    ``deadline`` (a :func:`time.monotonic` time; None waits for ever)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        if deadline is None:
            wait_ms = None
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeLimitExceeded()
            wait_ms = max(1, int(left * 1000))
        if poller.poll(wait_ms):
            return


def kill_children() -> None:
    for pid in list(_children):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _record(signum: int) -> None:
    if signum not in _received:
        _received.append(signum)
    kill_children()


def _on_signal(signum: int, _frame: object) -> None:
    first = not _received
    _record(signum)
    # Raise once: a second Ctrl-C must not cut short the cleanup the first one started
    # (the watchdog, if armed, still ends a run that does not stop).
    if first:
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextlib.contextmanager
def handling_signals(*, hard_exit: bool = False) -> Iterator[None]:
    """SIGINT → KeyboardInterrupt, SIGTERM → Terminated for the duration of the block.

    Only in the main thread (elsewhere the block runs unchanged). ``hard_exit`` adds the
    watchdog that ends the process (temp files removed, children killed, exit 130/143)
    when the main thread has not stopped :data:`GRACE_SECONDS` after the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {sig: signal.signal(sig, _on_signal) for sig in _STOP_SIGNALS}
    finished = threading.Event()
    watchdog = _Watchdog(finished) if hard_exit else None
    try:
        yield
    finally:
        finished.set()
        if watchdog is not None:
            watchdog.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Watchdog:
    """Reads the signal wakeup fd in a thread (it runs while native code holds the main one)."""

    def __init__(self, finished: threading.Event) -> None:
        self.finished = finished
        self.reader, writer = socket.socketpair()
        writer.setblocking(False)
        self.writer = writer
        self.previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        self.thread = threading.Thread(target=self._watch, name="ecokg-watchdog", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while True:
            try:
                data = self.reader.recv(64)
            except OSError:
                return
            if not data or self.finished.is_set():
                return
            signums = [sig for sig in data if sig in _STOP_SIGNALS]  # a byte per signal
            if not signums:
                continue
            for signum in signums:
                _record(signum)
            if self.finished.wait(GRACE_SECONDS):
                return
            for name in list(_temp_paths):
                with contextlib.suppress(OSError):
                    os.unlink(name)
            kill_children()
            with contextlib.suppress(OSError):
                os.write(2, b"ecokg: error: interrupted\n")
            os._exit(exit_code())

    def close(self) -> None:
        signal.set_wakeup_fd(self.previous_fd)
        with contextlib.suppress(OSError):
            self.writer.send(b"\0")  # wakes the thread, which sees ``finished`` and returns
        self.thread.join(1.0)
        self.reader.close()
        self.writer.close()


def die_with_parent(parent: int | None = None) -> None:
    """In a child process: be killed when the parent dies (``subprocess`` ``preexec_fn``).

    Linux prctl(PR_SET_PDEATHSIG, SIGKILL); elsewhere nothing. With ``parent`` (the parent's
    PID, taken before the fork), a child whose parent died before prctl took effect exits at
    once. Linux sends the signal when the *thread* that started the child ends: start
    children from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # the child may outlive a killed parent
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def start_forked_child(parent: int) -> None:
    """First steps of a forked child (``parent``: the parent's PID, taken before the fork):
    the default action for Ctrl-C and SIGTERM (the parent's handlers and wakeup pipe are not
    the child's), and death with the parent."""
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(ValueError):  # forked from a thread other than the main one
        signal.set_wakeup_fd(-1)
    die_with_parent(parent)


def worker_pool(workers: int) -> multiprocessing.pool.Pool:
    """A process pool whose workers start as forked children (:func:`start_forked_child`):
    a worker that kept ecokg's wakeup fd would pass the SIGTERM the pool sends it on leaving
    its block to ecokg's watchdog, which took it for its own. Use it as a context manager:
    leaving the block (an error, Ctrl-C) terminates the workers at once."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return context.Pool(workers, initializer=start_forked_child, initargs=(os.getpid(),))


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to the pipe ``fd`` (a write may take only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def run_in_child(work: Callable[[], bytes], timeout: float | None) -> bytes:
    """The bytes ``work()`` returns, computed in a forked child.

    The child dies with the parent; on timeout (:class:`TimeLimitExceeded`), a signal
    (KeyboardInterrupt/Terminated from the handlers) or any other exception in the parent,
    the child is killed at once. ``work`` reports its own errors in the bytes it returns;
    an exception escaping it, or a child killed from outside, is :class:`ChildFailed`.
    """
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            os.close(read_fd)
            start_forked_child(parent)
            if os.getppid() == parent:  # prctl may be unavailable: the parent may be gone
                write_all(write_fd, work())
                os.close(write_fd)
                status = 0
        finally:
            os._exit(status)
    _children.add(pid)
    os.close(write_fd)
    try:
        chunks = _read_until_eof(read_fd, timeout)
        _, wait_status = os.waitpid(pid, 0)
        _children.discard(pid)
    finally:
        os.close(read_fd)
        if pid in _children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            _children.discard(pid)
    if wait_status != 0:
        if os.WIFSIGNALED(wait_status) and os.WTERMSIG(wait_status) in _STOP_SIGNALS:
            # Ctrl-C reached the child first (same process group); ours is on its way: act
            # on it now, recorded so that its arrival does not raise a second time.
            _record(os.WTERMSIG(wait_status))
        raise_if_interrupted()  # e.g. the watchdog killed the child
        raise ChildFailed(_describe_status(wait_status))
    return b"".join(chunks)


def _read_until_eof(fd: int, timeout: float | None) -> list[bytes]:
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        wait_readable(fd, deadline)
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return chunks
        chunks.append(chunk)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by {name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
