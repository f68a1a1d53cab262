"""HTTP for the SPARQL 1.1 Protocol and Graph Store clients: bounded in time and size, every
failure one line (a URL's credentials never shown)."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request

from ecokg.errors import EcokgError, InputError

USER_AGENT = "ecokg (SPARQL 1.1 Protocol client)"
_CHUNK = 64 * 1024
_MAX_ERROR_LINE = 200


def open_url(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """urlopen with a timeout; every failure becomes a one-line EcokgError."""
    url = request.full_url
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        raise http_error(url, error.code, error.reason, error) from None
    except urllib.error.URLError as error:
        raise transport_error(url, error.reason, timeout) from None
    except (OSError, http.client.HTTPException) as error:
        raise transport_error(url, error, timeout) from None
    assert isinstance(response, http.client.HTTPResponse)
    return response


def http_error(url: str, code: int, reason: object, body: object) -> EcokgError:
    """``URL: HTTP 500 Internal Server Error: <first line of the server's message>``."""
    first = ""
    read = getattr(body, "read", None)
    try:
        raw = read(_CHUNK) if callable(read) else body
    except (OSError, http.client.HTTPException):
        raw = b""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace").strip()
        first = text.splitlines()[0].strip() if text else ""
    if len(first) > _MAX_ERROR_LINE:
        first = first[:_MAX_ERROR_LINE] + "…"
    message = f"{url}: HTTP {code} {reason or ''}".rstrip()
    return InputError(f"{message}: {first}" if first else message)


def transport_error(url: str, reason: object, timeout: float) -> EcokgError:
    """A network failure (refused, unreachable, timed out, broken) as one line."""
    if isinstance(reason, TimeoutError | socket.timeout):
        return InputError(f"{url}: no answer within {timeout:g} s (--timeout)")
    if isinstance(reason, ConnectionRefusedError):
        return InputError(f"{url}: connection refused (is the server running?)")
    if isinstance(reason, socket.gaierror):
        return InputError(f"{url}: unknown host ({reason.strerror or reason})")
    if isinstance(reason, http.client.HTTPException | ConnectionError):
        return InputError(f"{url}: connection broken ({type(reason).__name__}: {reason})")
    detail = getattr(reason, "strerror", None) or reason
    return InputError(f"{url}: cannot connect: {detail}")


def read_bounded(
    response: http.client.HTTPResponse, url: str, *, max_bytes: int, timeout: float
) -> bytes:
    """The response body, refusing more than ``max_bytes`` or more than ``timeout`` seconds."""
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise InputError(f"{url}: response of {int(declared)} bytes exceeds {max_bytes} bytes")
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := response.read1(_CHUNK):  # read1: one socket read, so the deadline holds
            size += len(chunk)
            if size > max_bytes:
                raise InputError(f"{url}: response exceeds {max_bytes} bytes; refused")
            if time.monotonic() > deadline:
                raise InputError(f"{url}: response not complete within {timeout:g} s")
            chunks.append(chunk)
    except (OSError, http.client.HTTPException) as error:
        raise transport_error(url, error, timeout) from None
    finally:
        response.close()
    return b"".join(chunks)


def media_type(response: http.client.HTTPResponse) -> str:
    return (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
