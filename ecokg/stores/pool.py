"""Pre-forked query workers: the time limit of :mod:`ecokg.interrupts` without a fork per query.

pyoxigraph cannot cancel a query, so a bounded query runs in another process that is killed
at the limit. Forking one per query costs some 10 ms; a :class:`WorkerPool` forks its workers
once, after the store is loaded (each shares it copy-on-write), and sends each one request at
a time over a pipe: a module-level function and its arguments (pickled), called in the worker
as ``work(context, *args)``; what it returns (or raises) comes back pickled. A worker that
runs out of time, or dies, is killed and replaced; workers die with the server (SIGKILL when
the parent dies, :func:`ecokg.interrupts.die_with_parent`) and on :meth:`WorkerPool.close`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ecokg import interrupts

Context = TypeVar("Context")
_LENGTH = struct.Struct("!Q")
_OK, _RAISED = 0, 1


class WorkerDied(Exception):
    """A worker ended without answering (killed from outside, or crashed)."""


class _Worker:
    def __init__(self, pid: int, requests: int, replies: int) -> None:
        self.pid = pid
        self.requests = requests  # the parent writes here
        self.replies = replies  # and reads here

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        interrupts.forget_child(self.pid)
        for fd in (self.requests, self.replies):
            with contextlib.suppress(OSError):
                os.close(fd)


class WorkerPool(Generic[Context]):
    """``size`` forked workers holding ``context``.

    ``prepare(context)`` runs in each new worker first (e.g. to make its store evaluate
    in-process). Workers are forked by one long-lived thread of this pool, so that the
    parent-death signal (tied to the forking thread on Linux) fires only when the server ends.
    """

    def __init__(
        self,
        context: Context,
        size: int,
        prepare: Callable[[Context], None] | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.context = context
        self.size = size
        self._fds: set[int] = set()  # the parent's ends of every worker's pipes
        self._prepare = prepare
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._orders: queue.Queue[threading.Event | None] = queue.Queue()
        self._closed = False
        self._spawner = threading.Thread(target=self._spawn_loop, name="ecokg-pool", daemon=True)
        self._spawner.start()
        for _ in range(size):
            self._spawn()

    def run(self, work: Callable[..., Any], *args: Any, timeout: float | None) -> Any:
        """``work(context, *args)`` in a worker: its result, or the exception it raised.

        :class:`~ecokg.interrupts.TimeLimitExceeded` when the worker takes longer than
        ``timeout`` seconds (it is killed and replaced); :class:`WorkerDied` if it dies.
        """
        if self._closed:
            raise RuntimeError("the query pool is closed")
        message = pickle.dumps((work, args), protocol=pickle.HIGHEST_PROTOCOL)
        worker = self._idle.get()
        try:
            _write_message(worker.requests, message)
            reply = _read_message(worker.replies, timeout)
        except BaseException:  # timeout, death, interruption: this worker is done for
            self._fds -= {worker.requests, worker.replies}
            worker.kill()
            self._spawn_later()
            raise
        self._idle.put(worker)
        status, value = pickle.loads(reply)
        if status == _RAISED:
            raise value
        return value

    def close(self) -> None:
        """Kill every worker (those busy are killed by their callers' timeouts or at exit)."""
        self._closed = True
        self._orders.put(None)
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._fds -= {worker.requests, worker.replies}
            worker.kill()

    def _spawn(self) -> None:
        done = threading.Event()
        self._orders.put(done)
        done.wait()

    def _spawn_later(self) -> None:
        if not self._closed:
            self._orders.put(threading.Event())

    def _spawn_loop(self) -> None:
        while True:
            order = self._orders.get()
            if order is None:
                return
            try:
                if not self._closed:
                    self._idle.put(self._fork())
            except OSError:  # out of processes or memory for now: try again shortly
                time.sleep(1.0)
                self._orders.put(order)
                continue
            order.set()

    def _fork(self) -> _Worker:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            status = 1
            try:
                for fd in (request_write, reply_read, *self._fds):  # siblings' pipes too
                    with contextlib.suppress(OSError):
                        os.close(fd)
                interrupts.start_forked_child(parent)
                if self._prepare is not None:
                    self._prepare(self.context)
                _serve(self.context, request_read, reply_write)
                status = 0
            finally:
                os._exit(status)
        os.close(request_read)
        os.close(reply_write)
        interrupts.remember_child(pid)
        self._fds |= {request_write, reply_read}
        return _Worker(pid, request_write, reply_read)


def _serve(context: Any, requests: int, replies: int) -> None:
    """The worker's loop: one request at a time until the parent closes the pipe."""
    while True:
        try:
            message = _read_message(requests, None)
        except WorkerDied:  # the parent closed the pipe or died
            return
        try:
            work, args = pickle.loads(message)
            reply = (_OK, work(context, *args))
        except Exception as error:
            reply = (_RAISED, error)
        try:
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # e.g. an exception that cannot be pickled
            payload = pickle.dumps((_RAISED, RuntimeError(f"{type(error).__name__}: {error}")))
        _write_message(replies, payload)


def _write_message(fd: int, payload: bytes) -> None:
    interrupts.write_all(fd, _LENGTH.pack(len(payload)) + payload)


def _read_message(fd: int, timeout: float | None) -> bytes:
    deadline = None if timeout is None else time.monotonic() + timeout
    header = _read_exactly(fd, _LENGTH.size, deadline)
    (length,) = _LENGTH.unpack(header)
    return _read_exactly(fd, length, deadline)


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        interrupts.wait_readable(fd, deadline)
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise WorkerDied("the worker ended without answering")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
