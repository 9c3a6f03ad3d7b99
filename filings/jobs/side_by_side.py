"""Work done side by side in threads, each on a database connection of its own (a scan's backlog).

On one connection a batch's Python and its statements on the server take turns: one of the machine's
cores waits while the other works. Two connections let one batch's Python run while the server
writes the other's."""

import queue
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection
from django.utils import translation

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


# psycopg_pool's ConnectionPool: min_size 4 unless given, max_size min_size unless given.
POOL_MIN_SIZE = 4


def workers_for(wanted: int) -> int:
    """Return how many workers of their own connections this thread may start, up to `wanted`: none
    on SQLite or inside a transaction (other connections would not see what this one has not
    committed), and no more than a connection pool holds beside this thread's own connection (a
    worker waiting for one would time out)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 0
    room = room_beside_one_connection(connection.settings_dict.get("OPTIONS", {}))
    return wanted if room is None else min(wanted, room)


def room_beside_one_connection(options: dict) -> int | None:
    """Return how many more connections a process holding one may open with these database
    OPTIONS (None: no pool, no limit of the process's own)."""
    pool = options.get("pool")
    if not pool:
        return None
    if pool is True:
        pool = {}
    return (pool.get("max_size") or pool.get("min_size") or POOL_MIN_SIZE) - 1


def run_side_by_side(
    items: Iterable[Item], work: Callable[[Item], Outcome], *, workers: int
) -> list[Outcome]:
    """Run `work` on each item in `workers` threads, each on a connection of its own (closed at the
    end), and return the outcomes in the order they finished. Each item goes to one thread only; the
    items are read here, on this thread's connection, at most `workers` ahead of the threads. The
    threads run with this thread's language and its connection's execute wrappers (query counts and
    timings). The first error stops the rest (items already taken finish) and is raised here."""
    waiting: queue.Queue = queue.Queue(maxsize=workers)
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []
    language = translation.get_language()
    wrappers = list(connection.execute_wrappers)

    def run() -> None:
        try:
            with translation.override(language):
                while (item := waiting.get()) is not None:
                    if errors:
                        continue  # emptying the queue, so that the reader never waits for room
                    try:
                        outcomes.append(_wrapped(work, item, wrappers))
                    except BaseException as error:
                        errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"side-by-side-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for item in items:
            if errors:
                break
            waiting.put(item)
    finally:
        for _thread in threads:
            waiting.put(None)
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return outcomes


def _wrapped(work: Callable[[Item], Outcome], item: Item, wrappers: list) -> Outcome:
    if not wrappers:
        return work(item)
    wrapper, *rest = wrappers
    with connection.execute_wrapper(wrapper):
        return _wrapped(work, item, rest)
