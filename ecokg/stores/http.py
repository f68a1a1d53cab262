"""HTTP for the SPARQL 1.1 Protocol and Graph Store clients: bounded in time and size, every
failure one line (a URL's credentials never shown).

Redirects are not followed: every request carries a body (a query or a graph) and maybe
credentials, and following would resend both to wherever the server points — another origin
included, or (urllib's way with POST) as a GET without the query. The error names the new
location, so the user can give that URL instead.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ecokg.errors import EcokgError, InputError, Interrupted, QueryTimeout, UsageError

USER_AGENT = "ecokg (SPARQL 1.1 Protocol client)"
_CHUNK = 64 * 1024
_MAX_ERROR_LINE = 200


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Builds no new request for a 3xx, so it reaches the caller as an HTTPError."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_RefuseRedirects)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``http://user:pass@host/x`` → (``http://host/x``, user, password), percent-decoded;
    a URL without ``user@`` comes back unchanged with (None, None); an unparsable one is a
    UsageError."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (a bad port is only found when read)
    except ValueError as error:
        raise UsageError(f"{redact(url)}: not a valid URL ({error})") from None
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url, None, None
    user, colon, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return (
        clean,
        urllib.parse.unquote(user),
        urllib.parse.unquote(password) if colon else None,
    )


def redact(url: str) -> str:
    """The URL as messages show it: ``http://user:***@host/…`` (``***@host`` for a user
    alone, which may be a token); a URL without credentials unchanged."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<an unparsable URL>"
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url
    user, colon, _ = userinfo.partition(":")
    shown = f"{user}:***" if colon else "***"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def open_url(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """urlopen with a timeout and no redirects; every failure becomes a one-line EcokgError."""
    url = redact(request.full_url)
    try:  # the outer try also covers reading an error's body
        try:
            response = _OPENER.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            if 300 <= error.code < 400:
                raise redirect_error(url, error.code, error.headers.get("Location")) from None
            raise http_error(url, error.code, error.reason, error) from None
        except urllib.error.URLError as error:
            raise transport_error(url, error.reason, timeout) from None
        except (OSError, http.client.HTTPException) as error:
            raise transport_error(url, error, timeout) from None
    except KeyboardInterrupt:
        raise Interrupted(f"{url}: interrupted") from None
    assert isinstance(response, http.client.HTTPResponse)
    return response


def redirect_error(url: str, code: int, location: str | None) -> EcokgError:
    """A 3xx answer: where it points, and that ecokg does not go there by itself."""
    if not location:
        return InputError(f"{url}: HTTP {code} redirect without a Location")
    target = redact(urllib.parse.urljoin(url, location))
    return InputError(
        f"{url}: redirected (HTTP {code}) to {target}; not followed, as it would resend the "
        "request and its credentials: use that URL if you trust it"
    )


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
    message = f"{redact(url)}: HTTP {code} {reason or ''}".rstrip()
    return InputError(f"{message}: {first}" if first else message)


def transport_error(url: str, reason: object, timeout: float) -> EcokgError:
    """A network failure (refused, unreachable, timed out, broken) as one line."""
    url = redact(url)
    if isinstance(reason, TimeoutError | socket.timeout):
        return QueryTimeout(f"{url}: no answer within {timeout:g} s (--timeout)")
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
    url = redact(url)
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
    except KeyboardInterrupt:
        raise Interrupted(f"{url}: interrupted") from None
    finally:
        response.close()
    return b"".join(chunks)


def media_type(response: http.client.HTTPResponse) -> str:
    return (response.getheader("Content-Type") or "").split(";")[0].strip().lower()


def is_html_page(content_type: str, body: bytes) -> bool:
    """A web page (a proxy's login page, a web app answering a wrong URL), not a protocol
    answer: declared text/html or XHTML, or a body that starts like one."""
    start = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return content_type in ("text/html", "application/xhtml+xml") or start.startswith(
        (b"<!doctype html", b"<html")
    )


def page_summary(body: bytes) -> str:
    """The page's <title>, else its first non-empty line, shortened: what the user saw."""
    text = body[:_CHUNK].decode("utf-8", errors="replace")
    lower = text.lower()
    start, end = lower.find("<title"), lower.find("</title>")
    if 0 <= start < end:
        title = text[text.index(">", start) + 1 : end]
    else:
        title = next((line for line in text.splitlines() if line.strip()), "")
    title = " ".join(title.split())
    return title[:_MAX_ERROR_LINE] + ("…" if len(title) > _MAX_ERROR_LINE else "")
