"""What one fetch run did, for the caller and the terminal."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FetchResult"]


@dataclass
class FetchResult:
    """What one :func:`~feedtools.collect.fetch` run did. ``stopped``: ``end`` (the whole feed is saved),
    ``up to date`` (nothing new), ``limit`` or ``since`` (more is left: fetch again without them to continue)."""

    folder: Path
    did: str
    handle: str | None
    run: int
    pages_added: list[str] = field(default_factory=list)
    items_added: int = 0
    items_total: int = 0
    repo_file: str | None = None
    stopped: str = "end"
    requests: int = 0
    retries: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        who = f"@{self.handle} ({self.did})" if self.handle else self.did
        line = (
            f"fetched {who} into {self.folder.name}/: run {self.run}, {len(self.pages_added)} pages and "
            f"{self.items_added} new items added, {self.items_total} items in the folder"
        )
        if self.repo_file:
            line += f", repository {self.repo_file}"
        line += f"; {self.requests} requests, {self.retries} retried; "
        return line + {
            "end": "feed complete",
            "up to date": "feed complete (nothing new)",
            "limit": "stopped at --limit (run again without it to continue)",
            "since": "stopped at --since (older items not fetched)",
        }.get(self.stopped, self.stopped)
