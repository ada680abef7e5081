#!/usr/bin/env python3
"""Which B-trees a SQLite write-ahead log's commits wrote, page by page.

Usage: wal_frames.py [--since WAL0] DB WAL [WAL ...]

WAL0 is a copy taken when the phase to measure began: commits it holds are not counted.
DB is the database file (after the run: its pages name the table or index they belong to,
by SQLite's `dbstat`); each WAL is a copy of its write-ahead log taken during the run. A
copy of a log being written is fine: only the frames of the log's current generation up to
its last complete commit are read, and copies of the same generation count once. Prints, per B-tree, the frames written, the frames per
commit and the share of all bytes, so that the bytes a write costs can be traced to the
tables and indexes that cost them.

The log's format: a 32-byte header (magic, version, page size, checkpoint sequence, two
salts, two checksums), then frames of a 24-byte header (page number, the database's size in
pages for the last frame of a commit or 0, the two salts, two checksums) and one page.
"""

import collections
import os
import sqlite3
import struct
import sys


def salts(path):
    """The log's generation: its two salts (a log started over gets new ones)."""
    with open(path, "rb") as f:
        head = f.read(32)
    return struct.unpack(">II", head[16:24]) if len(head) == 32 else None


def frames(path, skip=0):
    """Yields (commit index, page number) of each frame in complete commits, from the
    `skip`th commit on."""
    with open(path, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return
        magic, _version, page_size, _ckpt, salt1, salt2 = struct.unpack(">IIIIII", head[:24])
        if magic not in (0x377F0682, 0x377F0683):
            raise SystemExit(f"{path}: not a write-ahead log")
        pending = []
        commit = 0
        while True:
            fh = f.read(24)
            if len(fh) < 24:
                break
            page, size, s1, s2 = struct.unpack(">IIII", fh[:16])
            if (s1, s2) != (salt1, salt2):
                break
            if len(f.read(page_size)) < page_size:
                break
            pending.append(page)
            if size:
                if commit >= skip:
                    for p in pending:
                        yield commit - skip, p
                pending = []
                commit += 1


def commits_in(path):
    return sum(1 for _ in {c for c, _ in frames(path)})


def main():
    args = sys.argv[1:]
    # `--since WAL0`: a copy taken when the measured phase began; its commits are left out.
    since = None
    if args[:1] == ["--since"]:
        since, args = args[1], args[2:]
    db, wals = args[0], args[1:]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    owner = {page: name for name, page in con.execute("SELECT name, pageno FROM dbstat")}
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    by_tree = collections.Counter()
    commits = 0
    total = 0
    # Copies of the same generation hold the same first frames: count only the longest.
    longest = {}
    for wal in wals:
        key = salts(wal)
        if key and (key not in longest or os.path.getsize(wal) > os.path.getsize(longest[key])):
            longest[key] = wal
    before = (salts(since), commits_in(since)) if since else (None, 0)
    for key, wal in longest.items():
        last = -1
        for commit, page in frames(wal, before[1] if key == before[0] else 0):
            by_tree[owner.get(page, "(page not in the final file)")] += 1
            total += 1
            last = commit
        commits += last + 1
    if not total:
        raise SystemExit("no complete commit in the logs")
    print(f"{commits} commits, {total} frames ({total / commits:.1f} per commit), page {page_size} B")
    print(f"{'B-tree':<40} {'frames':>9} {'per commit':>11} {'share':>7}")
    for name, n in by_tree.most_common():
        print(f"{name:<40} {n:>9} {n / commits:>11.2f} {100 * n / total:>6.1f}%")


if __name__ == "__main__":
    main()
