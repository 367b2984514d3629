"""HTTP for :mod:`feedtools.collect`: one polite client with retries, rate-limit pacing and one-line errors.

* Retries (``tenacity``): HTTP 429 and 5xx, timeouts, refused or dropped connections
  (a body cut short included), with exponential backoff and jitter, up to ``max_wait``
  seconds in all for one request (a wait that would pass that bound is not started).
* ``Retry-After`` (seconds or an HTTP date) and ``RateLimit-Reset`` on a 429 set the
  least wait before the next try; after any response whose ``RateLimit-Remaining`` is
  0, the next request waits until ``RateLimit-Reset`` (epoch seconds, as Bluesky sends
  it, or a delta in seconds).
* An XRPC error in a 4xx response (``{"error": "AccountTakedown", "message": …}``) is
  not retried: it raises :class:`FetchError` with the error's name and message; nor is
  an address httpx cannot request (no http(s) scheme, a malformed host or port).
* Every attempt is logged (``log``: a list of dicts), so the manifest can say which
  requests were retried, why and how long was waited.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from feedtools.errors import FetchError  # re-exported: also imported from here
from feedtools.extras import require

try:  # the fetch extra; without it this module still imports (the CLI reads its defaults) and Http() says so
    import httpx
    import tenacity
except ImportError:
    httpx = tenacity = None  # type: ignore[assignment]

__all__ = ["FetchError", "Http", "Response"]

#: Statuses retried with backoff.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504}) | frozenset(range(505, 600))


@dataclass
class Response:
    """A response read in full (or streamed to ``path``): status, headers, body, SHA-256 and size."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    sha256: str = ""
    size: int = 0
    attempts: int = 1
    path: Path | None = None  # set when the body was streamed to a temporary file


class _Retryable(Exception):
    """A response worth another try (429, 5xx); ``wait`` is the least wait the server asked for."""

    def __init__(self, status: int, wait: float | None, reason: str) -> None:
        super().__init__(reason)
        self.status, self.wait = status, wait


def _seconds(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` / ``RateLimit-Reset`` value (delta seconds, epoch seconds
    or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        n = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - now)
    if n > 1e9:  # an epoch time (Bluesky's RateLimit-Reset)
        return max(0.0, n - now)
    return max(0.0, n)


def _xrpc_error(body: bytes) -> tuple[str | None, str | None]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(value, dict):
        return None, None
    err, msg = value.get("error"), value.get("message")
    return (err if isinstance(err, str) else None), (msg if isinstance(msg, str) else None)


def _snippet(body: bytes, n: int = 60) -> str:
    text = body[:n].decode("utf-8", "replace")
    text = " ".join(text.split())
    return repr(text + ("…" if len(body) > n else ""))


@dataclass
class Http:
    """A client for public XRPC endpoints. ``get`` and ``download`` retry as described in the module.

    ``timeout``: seconds to connect and between bytes read. ``max_wait``: bound on the
    total time spent on one request, retries and waits included. ``backoff``: first
    backoff in seconds (doubling, plus up to as much jitter, capped at 60 s).
    ``log``: each retried attempt and each rate-limit pause is appended as a dict.
    """

    timeout: float = 30.0
    max_wait: float = 300.0
    backoff: float = 1.0
    user_agent: str = "feedtools"
    log: list[dict] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    _not_before: float = 0.0
    _client: httpx.Client = field(init=False, repr=False)  # made by __post_init__

    def __post_init__(self) -> None:
        require("fetch", "fetching (feedtools fetch)")
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.timeout), follow_redirects=True, headers={"User-Agent": self.user_agent}
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # --- pacing -----------------------------------------------------------------------------------------------

    def _pace(self, what: str) -> None:
        """Wait until the last response's rate-limit window resets, when it said none is left."""
        wait = self._not_before - time.time()
        if wait <= 0:
            return
        if wait > self.max_wait:
            reset = time.strftime("%H:%M:%S UTC", time.gmtime(self._not_before))
            raise FetchError(
                f"{what}: rate limit reached, no request allowed before {reset} (more than "
                f"--max-wait {self.max_wait:g} s away); what was saved is kept: run again later "
                "to resume"
            )
        self.log.append({"what": what, "event": "rate-limit pause", "wait_s": round(wait, 3)})
        self.sleep(wait)

    def _note_limits(self, headers: httpx.Headers) -> None:
        remaining = headers.get("ratelimit-remaining")
        try:
            left = int(float(remaining)) if remaining is not None else None
        except ValueError:
            left = None
        if left is not None and left <= 0:
            now = time.time()
            wait = _seconds(headers.get("ratelimit-reset"), now)
            self._not_before = now + (wait if wait is not None else 60.0)

    # --- one attempt ------------------------------------------------------------------------------------------

    def _check(self, r_status: int, headers: httpx.Headers, body: bytes, what: str) -> None:
        if r_status in RETRY_STATUSES:
            now = time.time()
            wait = _seconds(headers.get("retry-after"), now)
            if wait is None and r_status == 429:
                wait = _seconds(headers.get("ratelimit-reset"), now)
            raise _Retryable(r_status, wait, f"HTTP {r_status}" + (f", asked to wait {wait:.0f} s" if wait else ""))
        if r_status >= 400:
            err, msg = _xrpc_error(body)
            if err:
                raise FetchError(f"{what}: {err}" + (f" ({msg})" if msg else "") + f" [HTTP {r_status}]")
            raise FetchError(f"{what}: HTTP {r_status} {_snippet(body)}")

    def _retrying(self, what: str) -> tenacity.Retrying:
        expo = tenacity.wait_exponential_jitter(multiplier=self.backoff, max=60, jitter=self.backoff)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            asked = exc.wait if isinstance(exc, _Retryable) and exc.wait is not None else 0.0
            return max(asked, expo(state))

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            self.log.append(
                {
                    "what": what,
                    "event": "retry",
                    "attempt": state.attempt_number,
                    "reason": _reason(exc),
                    "wait_s": round(state.upcoming_sleep, 3),
                }
            )

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(_transient),
            stop=tenacity.stop_before_delay(self.max_wait),
            wait=wait,
            before_sleep=before_sleep,
            sleep=self.sleep,
            reraise=True,
        )

    def _run(self, attempt: Callable[[], Response], what: str) -> Response:
        self._pace(what)
        start = time.monotonic()
        count = 0

        def counted() -> Response:
            nonlocal count
            count += 1
            return attempt()

        try:
            r = self._retrying(what)(counted)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:  # an address no retry can mend
            raise FetchError(f"{what}: cannot request this address ({e})") from None
        except (_Retryable, httpx.TransportError) as e:
            tries = f"{count} attempt" + ("s" if count != 1 else "")
            raise FetchError(
                f"{what}: gave up after {tries} in {time.monotonic() - start:.0f} s (last: {_reason(e)}); "
                "what was saved is kept: run again to resume"
            ) from None
        r.attempts = count
        return r

    def get(self, url: str, params: dict | None, what: str) -> Response:
        """GET ``url`` and read the whole body; retried as described in the module.

        Raises :class:`FetchError` (one line) on an XRPC error, another 4xx, an address
        that cannot be requested, or when retries run out.
        """

        def attempt() -> Response:
            r = self._client.get(url, params=params)
            body = r.content
            self._note_limits(r.headers)
            self._check(r.status_code, r.headers, body, what)
            return Response(
                url=str(r.url),
                status=r.status_code,
                headers=r.headers,
                body=body,
                sha256=hashlib.sha256(body).hexdigest(),
                size=len(body),
            )

        return self._run(attempt, what)

    def download(self, url: str, params: dict | None, what: str, folder: Path) -> Response:
        """GET ``url`` streaming the body into a temporary file in ``folder`` (``Response.path``), hashing it
        on the way. The caller renames or deletes the file. Retries and errors as :meth:`get`."""

        def attempt() -> Response:
            fd, tmp = tempfile.mkstemp(prefix=".download.", suffix=".part", dir=folder)
            h = hashlib.sha256()
            size = 0
            try:
                with os.fdopen(fd, "wb") as f, self._client.stream("GET", url, params=params) as r:
                    self._note_limits(r.headers)
                    if r.status_code != 200:
                        self._check(r.status_code, r.headers, r.read(), what)
                    for chunk in r.iter_bytes(1 << 20):
                        f.write(chunk)
                        h.update(chunk)
                        size += len(chunk)
                    f.flush()
                    os.fsync(f.fileno())
                    status, headers, final = r.status_code, r.headers, str(r.url)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return Response(url=final, status=status, headers=headers, sha256=h.hexdigest(), size=size, path=Path(tmp))

        return self._run(attempt, what)


def _transient(exc: BaseException) -> bool:
    """Whether another try may succeed: a 429 or 5xx, a timeout, a refused or dropped connection; never a URL
    with no http(s) scheme (``UnsupportedProtocol``, a ``TransportError`` to httpx)."""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return False
    return isinstance(exc, (_Retryable, httpx.TransportError))


def _reason(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown"
    if isinstance(exc, _Retryable):
        return str(exc)
    text = str(exc).strip()
    return type(exc).__name__ + (f": {text}" if text else "")
