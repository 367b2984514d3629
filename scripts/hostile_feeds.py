"""Write the hostile feeds used to measure the analyses' bounds (docs/reliability.md).

    python scripts/hostile_feeds.py OUT_DIR

* ``tags2000.txt``: a profile scrape whose one post carries 2,000 distinct hashtags (plus 20 ordinary posts);
* ``tags10000.txt``: the same with 10,000 hashtags in the one post;
* ``suggest10k.txt``: 10,000 posts with one distinct, near-identical hashtag each (``#campaign00000``…).

Seeded: the same files every time. Run ``feedtools campaigns FILE -o out.csv --suggestions s.csv --pairs p.csv
--network n.gexf`` on each under ``/usr/bin/time -v`` to measure time and peak memory.
"""

from __future__ import annotations

import random
import string
import sys
from pathlib import Path

HEADER = "Hostile Org\nA feed built to stress the analyses.\n"
ORDINARY = [f"- Ordinary post number {i} about #LocalGovs and #SDG{i % 17} with @partner{i % 5}.bsky.social"
            for i in range(20)]


def _many_tags(n: int, seed: int) -> str:
    rng = random.Random(seed)
    tags = {"".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(n * 2)}
    chosen = sorted(tags)[:n]
    return "- One post with far too many tags " + " ".join(f"#{t}" for t in chosen)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for n in (2000, 10000):
        (out / f"tags{n}.txt").write_text(HEADER + "\n".join([_many_tags(n, n), *ORDINARY]) + "\n", encoding="utf-8")
    lines = [f"- Our cities are working together on this campaign about local government, see #campaign{i:05d}"
             for i in range(10000)]
    (out / "suggest10k.txt").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile"))
