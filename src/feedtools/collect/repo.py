"""The repository part of a fetch: the account's PDS from its DID document, then its CAR (``getRepo``).

The PDS is read from the DID document's ``#atproto_pds`` service: the PLC directory
for ``did:plc`` (``{plc}/{did}``), ``https://HOST/.well-known/did.json`` for
``did:web`` (plain ``http`` only for ``localhost``/``127.0.0.1``, as in local
development). The CAR is streamed into the folder, checked to be a readable
repository of this DID with :mod:`feedtools.readers.car`, then renamed.
"""

from __future__ import annotations

import time
import urllib.parse

from feedtools.collect.http import FetchError
from feedtools.collect.store import Run, json_object


def _did_document(run: Run, did: str, plc: str) -> dict:
    if did.startswith("did:plc:"):
        url = f"{plc.rstrip('/')}/{did}"
    else:
        parts = [urllib.parse.unquote(p) for p in did.removeprefix("did:web:").split(":")]
        host = parts[0]
        local = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")
        base = f"{'http' if local else 'https'}://{host}"
        url = f"{base}/{'/'.join(parts[1:])}/did.json" if len(parts) > 1 else f"{base}/.well-known/did.json"
    resp = run.http.get(url, None, f"DID document of {did}")
    doc = json_object(resp, f"DID document of {did}", run.folder, "id")
    if doc.get("id") != did:
        raise FetchError(f"DID document of {did}: it describes {doc.get('id')!r}, not this DID")
    run.save(f"{run.run_dir}/did.json", resp, "did document", None)
    return doc


def _pds_of(doc: dict, did: str) -> str:
    for service in doc.get("service") or []:
        if isinstance(service, dict) and str(service.get("id", "")).endswith("#atproto_pds"):
            endpoint = service.get("serviceEndpoint")
            if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
                return endpoint
    raise FetchError(
        f"DID document of {did}: no #atproto_pds service, so no repository to download (give the PDS with --pds URL)"
    )


def collect_repo(run: Run, did: str, *, plc: str, pds: str | None) -> str:
    from feedtools.readers import ReadResult
    from feedtools.readers import car as car_reader

    endpoint = pds or _pds_of(_did_document(run, did, plc), did)
    params = {"did": did}
    target = run.folder / run.run_dir
    target.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    resp = run.http.download(f"{endpoint.rstrip('/')}/xrpc/com.atproto.sync.getRepo", params, "getRepo", target)
    path = resp.path
    if path is None:  # download() always streams the body to a file
        raise FetchError("getRepo: the response was not saved; the rest of the folder is kept")
    with open(path, "rb") as f:
        head = f.read(65536)
    if not car_reader.sniff(head):
        path.unlink(missing_ok=True)
        snippet = " ".join(head[:40].decode("utf-8", "replace").split())
        raise FetchError(
            f"getRepo: the response is not a CAR file ({resp.headers.get('content-type')}, "
            f"{resp.size} bytes, starts {snippet!r}); the rest of the folder is kept"
        )
    try:
        read = ReadResult.combine(car_reader.read_batches(path))
    except Exception as e:  # noqa: BLE001 - any failure to read the CAR is reported in one line
        path.unlink(missing_ok=True)
        raise FetchError(f"getRepo: the CAR cannot be read ({e}); the rest of the folder is kept") from None
    if read.meta.get("did") != did:
        path.unlink(missing_ok=True)
        raise FetchError(f"getRepo: the repository is {read.meta.get('did')!r}, not {did}")
    rel = f"{run.run_dir}/repo.car"
    posts = read.posts
    run.save(
        rel,
        resp,
        "com.atproto.sync.getRepo",
        params,
        records=int(read.stats.get("records", 0)),
        posts=int((~posts["is_repost"]).sum()) if posts.height else 0,
        reposts=int(posts["is_repost"].sum()) if posts.height else 0,
        rev=read.meta.get("rev"),
        seconds=round(time.monotonic() - started, 3),
    )
    run.m["repo"] = {"file": rel, "run": run.number, "pds": endpoint}
    run.flush()
    return rel
