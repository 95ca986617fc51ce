"""SAVE, BGSAVE, the ``save`` points, LASTSAVE / INFO figures, the save at shutdown and
loading ``dump.rdb`` at start-up: redis 7.0's RDB persistence without ``fork``.

BGSAVE without fork: on the event loop the keyspace is *frozen*
(:class:`nodes.rdb.snapshot.Snapshot`: the key and expiry dicts copied at C speed,
collection values copied into immutable tuples, so the snapshot is one instant of the
dataset, like a forked child's copy); a worker
thread then encodes the frozen values and writes ``temp-bgsave-<pid>.rdb``, fsyncs it
and renames it over ``dbfilename``. Clients are served meanwhile (the GIL passes
between the thread and the loop every few milliseconds); the loop learns the outcome
through ``call_soon_threadsafe``. SAVE does the same work synchronously. Every file is
written atomically: temp file, fsync, rename, fsync of the directory.

``save <seconds> <changes>...`` (default ``3600 1 300 100 60 10000``) is checked by
the cron: a background save starts when at least ``changes`` writes happened and
``seconds`` passed since the last successful save (after a failure, retried only
every 5 seconds, as redis does).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from nodes.errors import AofError
from nodes.rdb import file, snapshot
from nodes.rdb.format import RdbError
from nodes.rdb.load import install

if TYPE_CHECKING:
    from nodes.server import Server

log = logging.getLogger("splitbrain.rdb")

RETRY_DELAY_S: Final = 5
"""redis's ``CONFIG_BGSAVE_RETRY_DELAY``."""


class RdbLoadError(AofError):
    """An RDB file that cannot be loaded at start-up (the server refuses to start)."""


def save_points(text: str) -> list[tuple[int, int]]:
    """``save`` as (seconds, changes) pairs; malformed pairs are skipped."""
    words = text.split()
    points = []
    for secs, changes in zip(words[0::2], words[1::2], strict=False):
        if secs.isdigit() and changes.isdigit():
            points.append((int(secs), int(changes)))
    return points


class RdbPersistence:
    """The server's RDB state (``server.rdb``)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.lastsave_s = server.start_ms // 1000
        self.dirty_at_save = 0
        self.last_bgsave_ok = True
        self.last_try_s = 0
        self.saves = 0
        self._bg: threading.Thread | None = None
        self._bg_dirty = 0
        self._cancel = threading.Event()
        self.loaded_history: tuple[str, int] | None = None
        """The replication id and offset of the last file loaded, if it had them."""

    # ---- figures -------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return Path(self.server.config.get_str("dbfilename"))

    @property
    def bgsave_in_progress(self) -> bool:
        return self._bg is not None

    def changes_since_save(self) -> int:
        return self.server.databases.dirty() - self.dirty_at_save

    def info(self) -> list[tuple[str, object]]:
        """The RDB fields of INFO persistence."""
        return [
            ("rdb_changes_since_last_save", self.changes_since_save()),
            ("rdb_bgsave_in_progress", 1 if self.bgsave_in_progress else 0),
            ("rdb_last_save_time", self.lastsave_s),
            ("rdb_last_bgsave_status", "ok" if self.last_bgsave_ok else "err"),
            ("rdb_saves", self.saves),
        ]

    # ---- writing -------------------------------------------------------------------
    def _aux(self) -> list[tuple[bytes, bytes]]:
        """The aux fields, taken with the snapshot: the replication id and offset when
        we are part of a replication chain (redis's ``rdbPopulateSaveInfo``)."""
        repl = self.server.replication
        history = repl.history_for_rdb() if repl is not None else None
        return file.aux_fields(now_s=self.server.clock_ms() // 1000, repl=history)

    def _between_keys(self) -> Callable[[], bool]:
        """What the writer polls between keys: the cancel flag, after redis's
        ``rdb-key-save-delay`` pause (µs a key; a negative -n: 1 µs every n keys), the
        knob redis's own tests use to keep a save running. The pause waits on the cancel
        flag, so a cancelled save stops at once."""
        delay_us = self.server.config.get_int("rdb-key-save-delay")
        cancel = self._cancel
        if delay_us == 0:
            return cancel.is_set
        if delay_us > 0:
            seconds = delay_us / 1_000_000
            return lambda: cancel.wait(seconds)
        keys = itertools.count(1)
        return lambda: cancel.wait(1e-6) if next(keys) % -delay_us == 0 else cancel.is_set()

    def _write(self, frozen: snapshot.Dataset, temp: Path, aux: list[tuple[bytes, bytes]]) -> int:
        stop = self._between_keys()
        return self.server.disk.write_atomically(
            self.path, temp, lambda f: file.write(f, frozen, aux, stop)
        )

    def save(self, *, counted: bool = False) -> bool:
        """Write ``dbfilename`` now; False (logged) on failure. ``counted``: the SAVE
        command, which ``rdb_saves`` counts as it starts (as a BGSAVE does); the saves of
        SHUTDOWN, FLUSHALL and DEBUG RELOAD are not counted, as in redis."""
        if counted:
            self.saves += 1
        dirty = self.server.databases.dirty()
        try:
            frozen = snapshot.take_all(self.server.databases)
            size = self._write(frozen, Path(f"temp-{os.getpid()}.rdb"), self._aux())
        except OSError as exc:
            log.warning("Failed opening the temp RDB file or writing to it: %s", exc)
            return False
        self._saved(dirty)
        log.info("DB saved on disk (%d bytes)", size)
        return True

    def _saved(self, dirty: int) -> None:
        self.dirty_at_save = dirty
        self.lastsave_s = self.server.clock_ms() // 1000

    def bgsave(self) -> bool:
        """Start a background save; False when one is already running."""
        if self._bg is not None:
            return False
        server = self.server
        frozen = snapshot.take_all(server.databases)
        aux = self._aux()
        self._bg_dirty = server.databases.dirty()
        self.saves += 1
        self.last_try_s = server.clock_ms() // 1000
        self._cancel.clear()
        temp = Path(f"temp-bgsave-{os.getpid()}.rdb")
        loop = server.loop

        def run() -> None:
            error: BaseException | None = None
            size = 0
            try:
                size = self._write(frozen, temp, aux)
            except BaseException as exc:  # reported on the loop
                error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._bg_done, thread, size, error)

        thread = self._bg = threading.Thread(target=run, name="bgsave", daemon=True)
        log.info("Background saving started (%d keys)", sum(len(f.data) for _, f in frozen))
        self._bg.start()
        return True

    def _bg_done(self, thread: threading.Thread, size: int, error: BaseException | None) -> None:
        """On the loop, once ``thread`` ended (a cancelled one was already forgotten: a
        newer save may be running)."""
        if self._bg is thread:
            self._bg = None
        if error is None:
            self.last_bgsave_ok = True
            self._saved(self._bg_dirty)
            log.info("Background saving terminated with success (%d bytes)", size)
        elif isinstance(error, InterruptedError):
            log.warning("Background saving cancelled")
        else:
            self.last_bgsave_ok = False
            log.warning("Background saving error: %s", error)

    def cancel_bgsave(self) -> None:
        """Stop a running background save (its temp file is removed); waits for it."""
        thread = self._bg
        if thread is not None:
            self._cancel.set()
            thread.join()
            self._bg = None

    def cron(self) -> None:
        """Start a background save when a ``save`` point is reached."""
        if self._bg is not None:
            return
        now_s = self.server.clock_ms() // 1000
        changes = self.changes_since_save()
        if not changes:
            return
        for seconds, needed in save_points(self.server.config.get_str("save")):
            if (
                changes >= needed
                and now_s - self.lastsave_s > seconds
                and (self.last_bgsave_ok or now_s - self.last_try_s > RETRY_DELAY_S)
            ):
                log.info("%d changes in %d seconds. Saving...", needed, seconds)
                self.bgsave()
                return

    def after_flushall(self) -> None:
        """FLUSHALL: cancel a background save (its snapshot is of the old data), and with
        ``save`` points set write the empty dataset, so a restart does not bring the keys
        back (redis's ``flushAllDataAndResetRDB``)."""
        self.cancel_bgsave()
        if save_points(self.server.config.get_str("save")):
            self.save()

    def save_on_shutdown(self, save: bool | None) -> bool:
        """The save before exiting: always with ``save=True``, never with False, with
        None when ``save`` points are configured. False when the save failed."""
        if save is None:
            save = bool(save_points(self.server.config.get_str("save")))
        self.cancel_bgsave()
        if not save:
            return True
        log.info("Saving the final RDB snapshot before exiting.")
        return self.save()

    # ---- loading -------------------------------------------------------------------
    def load(self) -> int:
        """Load ``dbfilename`` if it exists (start-up with the AOF off); returns the
        number of keys. :class:`RdbLoadError` names the file and the problem."""
        path = self.path
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise RdbLoadError(f"Can't read the RDB file {path}: {exc.strerror}") from None
        server = self.server
        now = None if server.configured_replica else server.clock_ms()
        try:
            contents = file.read(data, now_ms=now)
            keys = install(server.databases, contents)
        except RdbError as exc:
            raise RdbLoadError(f"Bad RDB file {path}: {exc}") from None
        self.loaded_history = file.replication_history(contents)
        self.dirty_at_save = server.databases.dirty()  # loading is not a change
        server.pending_propagation.clear()
        log.info("DB loaded from disk: %d keys", keys)
        return keys

    def reload(self, *, flush: bool = True) -> bool:
        """DEBUG RELOAD after its save: empty the data set (unless not ``flush``), load
        the file again; False (and a log line) when the file cannot be loaded."""
        if flush:
            self.server.databases.flush_all()
        try:
            self.load()
        except RdbLoadError as exc:
            log.warning("%s", exc)
            return False
        self.dirty_at_save = self.server.databases.dirty()
        return True
