"""A local XRPC server for the fetch tests (127.0.0.1 only; nothing leaves the machine).

It plays Bluesky's AppView, the PLC directory and the account's PDS at once, serving
responses built at test time from the real captures in ../shared/bluesky-samples (read
in place, never copied):

* the account is the repository in ``jetstream_repo.car`` (its DID, display name and
  records); ``getRepo`` returns that CAR byte for byte;
* its author feed holds 4 of the CAR's 6 posts as postViews (records from the CAR,
  counts made up at test time) and the 9 hydrated postViews of
  ``twitwi_bluesky-hydrated-firehose-posts.json`` as reposts; two of those reposts are
  the CAR's own repost records (their reason carries the repost's URI and time, and the
  post shown takes the repost subject's URI), so the repository and the author feed
  overlap the way they do in production;
* pages follow a cursor made of the last item's time and key, as the AppView's do.

Faults are queued per request (``server.fault(path, cursor, *faults)``) and used once
each: ``("status", code, headers, body)``, ``("drop",)`` (connection closed mid-body),
``("truncated",)`` (JSON cut short), ``("html200",)`` (an HTML page with status 200),
``("slow", seconds)``, ``("stall",)`` (hang until the server stops) and
``("repeat_cursor",)``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlparse

import libipld

from feedtools.readers import car as car_reader

HANDLE = "sampleuser.test"
TAKEDOWN = "takendown.test"
WEB_HANDLE = "webuser.test"
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"


def _jsonable(value):
    """DAG-CBOR values as JSON: CID links (bytes) as ``{"$link": cid}``."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        try:
            return {"$link": libipld.encode_cid(value)}
        except ValueError:
            return {"$bytes": value.hex()}
    return value


def _repo_records(car_bytes: bytes) -> tuple[str, dict, list[tuple[str, str, dict]]]:
    """``(did, profile, [(collection, rkey, record)])`` of a CAR, in key order."""
    header, blocks = libipld.decode_car(car_bytes)
    commit = blocks[header["roots"][0]]
    entries = car_reader._walk(commit["data"], blocks, {}, [], "repo.car")
    out, profile = [], {}
    for key, cid in entries:
        collection, _, rkey = key.partition("/")
        record = _jsonable(blocks[cid])
        if collection == "app.bsky.actor.profile":
            profile = record
        out.append((collection, rkey, record))
    return commit["did"], profile, out


def build_items(samples: Path) -> tuple[str, str, bytes, list[dict]]:
    """``(did, display name, CAR bytes, feed items newest first)`` built from the captures."""
    car_bytes = (samples / "jetstream_repo.car").read_bytes()
    did, profile, records = _repo_records(car_bytes)
    author = {"did": did, "handle": HANDLE, "displayName": profile.get("displayName", "")}
    posts = [(rkey, rec) for col, rkey, rec in records if col == "app.bsky.feed.post"]
    reposts = [(rkey, rec) for col, rkey, rec in records if col == "app.bsky.feed.repost"]
    hydrated = json.loads((samples / "twitwi_bluesky-hydrated-firehose-posts.json").read_text())
    items = []
    for n, (rkey, rec) in enumerate(posts[:4]):  # 4 of the 6 posts; the repository has the other 2
        items.append(
            {
                "post": {
                    "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
                    "cid": f"bafy{rkey}",
                    "author": author,
                    "record": rec,
                    "indexedAt": rec["createdAt"],
                    "likeCount": 3 * n,
                    "repostCount": n,
                    "replyCount": 0,
                    "quoteCount": 0,
                },
                "_t": rec["createdAt"],
            }
        )
    for i, view in enumerate(hydrated):
        view = {k: v for k, v in view.items() if k != "collection_source"}
        reason = {"$type": REASON_REPOST, "by": {"did": did, "handle": HANDLE}, "indexedAt": view["indexedAt"]}
        if i < 2:  # the repository's own repost records: same subject URI, same repost URI and time
            rkey, rec = reposts[i]
            view["uri"] = rec["subject"]["uri"]
            view["author"] = {**view["author"], "did": rec["subject"]["uri"].split("/")[2]}
            reason.update(uri=f"at://{did}/app.bsky.feed.repost/{rkey}", indexedAt=rec["createdAt"])
        items.append({"post": view, "reason": reason, "_t": reason["indexedAt"]})
    items.sort(key=lambda it: (it["_t"], it["post"]["uri"]), reverse=True)
    return did, author["displayName"], car_bytes, items


class XrpcServer:
    """The server; ``url`` is its base address. ``requests`` logs ``(path, params)`` of every request."""

    def __init__(self, samples: Path) -> None:
        self.did, self.name, self.car, all_items = build_items(samples)
        self.all_items = all_items
        self.items = list(all_items)  # what the author feed serves now (tests may hide the newest)
        self.faults: dict[tuple[str, str | None], list[tuple]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.stalled = threading.Event()
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.web_did = f"did:web:127.0.0.1%3A{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def fault(self, path: str, cursor: str | None, *faults: tuple) -> None:
        """Queue faults for the next requests to ``path`` (e.g. ``getAuthorFeed``) with ``cursor``."""
        self.faults.setdefault((path, cursor), []).extend(faults)

    def page_cursor(self, page: int, size: int) -> str | None:
        """The cursor that asks for page ``page`` (1-based) of ``size`` items of the current feed."""
        return None if page == 1 else self._cursor(self.items[(page - 1) * size - 1])

    @staticmethod
    def _cursor(item: dict) -> str:
        return f"{item['_t']}::{item['post']['uri'].rsplit('/', 1)[-1]}"

    def feed_page(self, cursor: str | None, limit: int) -> dict:
        start = 0
        if cursor:
            start = next(i for i, it in enumerate(self.items) if self._cursor(it) == cursor) + 1
        chunk = self.items[start : start + limit]
        page: dict = {"feed": [{k: v for k, v in it.items() if k != "_t"} for it in chunk]}
        if start + limit < len(self.items):
            page["cursor"] = self._cursor(chunk[-1])
        return page

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args) -> None:  # quiet
                pass

            def send(
                self, status: int, body: bytes, ctype: str = "application/json", headers=None, length: int | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def error(self, name: str, message: str, status: int = 400) -> None:
                self.send(status, json.dumps({"error": name, "message": message}).encode())

            def do_GET(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                path = url.path.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
                server.requests.append((url.path, params))
                queue = server.faults.get((path, params.get("cursor")))
                fault = queue.pop(0) if queue else None
                body, status, ctype, headers = self.route(url.path, params)
                if fault is None:
                    return self.send(status, body, ctype, headers)
                kind = fault[0]
                if kind == "status":
                    return self.send(
                        fault[1], fault[3], "text/html" if fault[3][:1] == b"<" else "application/json", fault[2]
                    )
                if kind == "drop":
                    self.send(200, body[: len(body) // 2], ctype, headers, length=len(body))
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return None
                if kind == "truncated":
                    return self.send(200, body[: len(body) // 2], ctype, headers)
                if kind == "html200":
                    return self.send(200, b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "text/html")
                if kind == "slow":
                    time.sleep(fault[1])
                    return self.send(status, body, ctype, headers)
                if kind == "stall":
                    server.stalled.set()
                    server.stop.wait(60)
                    return None
                if kind == "repeat_cursor":
                    page = json.loads(body)
                    page["cursor"] = params.get("cursor") or "first"
                    return self.send(200, json.dumps(page).encode(), ctype, headers)
                raise AssertionError(f"unknown fault {fault}")

            def route(self, path: str, params: dict):
                ok = 200, "application/json", {}
                if path == "/xrpc/com.atproto.identity.resolveHandle":
                    did = {
                        HANDLE: server.did,
                        TAKEDOWN: "did:plc:takendownaccount0000000",
                        WEB_HANDLE: server.web_did,
                    }.get(params.get("handle"))
                    if did is None:
                        return (
                            json.dumps({"error": "InvalidRequest", "message": "Unable to resolve handle"}).encode(),
                            400,
                            "application/json",
                            {},
                        )
                    return json.dumps({"did": did}).encode(), *ok
                if path == "/xrpc/app.bsky.actor.getProfile":
                    if params.get("actor") == "did:plc:takendownaccount0000000":
                        return (
                            json.dumps({"error": "AccountTakedown", "message": "Account has been suspended"}).encode(),
                            400,
                            "application/json",
                            {},
                        )
                    handle = WEB_HANDLE if params.get("actor") == server.web_did else HANDLE
                    return json.dumps(
                        {
                            "did": params.get("actor"),
                            "handle": handle,
                            "displayName": server.name,
                            "description": "A real repository, served locally.",
                            "postsCount": 6,
                        }
                    ).encode(), *ok
                if path == "/xrpc/app.bsky.feed.getAuthorFeed":
                    page = server.feed_page(params.get("cursor"), int(params.get("limit", 50)))
                    return json.dumps(page).encode(), *ok
                if path in (f"/{server.did}", "/.well-known/did.json"):
                    did = server.did if path != "/.well-known/did.json" else server.web_did
                    doc = {
                        "id": did,
                        "alsoKnownAs": [f"at://{HANDLE}"],
                        "service": [
                            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": server.url}
                        ],
                    }
                    return json.dumps(doc).encode(), *ok
                if path == "/xrpc/com.atproto.sync.getRepo":
                    return server.car, 200, "application/vnd.ipld.car", {}
                return (
                    json.dumps({"error": "MethodNotImplemented", "message": path}).encode(),
                    404,
                    "application/json",
                    {},
                )

        return Handler
