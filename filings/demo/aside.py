"""A job run in a process of its own beside this one, so that the seed's two Python-bound jobs use
both cores: the risk cases are rebuilt while the alerts are raised and the dashboard summarised."""

import multiprocessing
from collections.abc import Callable

from django.db import connection, connections


class Aside:
    """Run `job(**kwargs)` in a forked process when the database is PostgreSQL and no transaction is
    open (the child opens its own connection and sees only committed rows); inline otherwise (SQLite,
    or a test's transaction). `result()` returns what the job returned, or raises what it raised."""

    def __init__(self, job: Callable, **kwargs) -> None:
        self.process = None
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            self.value = job(**kwargs)
            return
        # The child must not share this process's connections: each side opens its own.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=run_and_send, args=(sender, job, kwargs), daemon=True)
        self.process.start()
        sender.close()

    def result(self):
        if self.process is None:
            return self.value
        try:
            succeeded, value = self.receiver.recv()
        except EOFError:
            succeeded, value = False, f"the job's process ended with status {self.process.exitcode}"
        self.process.join()
        if not succeeded:
            raise RuntimeError(value)
        return value


def run_and_send(sender, job: Callable, kwargs: dict) -> None:
    """Run the job in the child and send (succeeded, result or error) back."""
    try:
        sender.send((True, job(**kwargs)))
    except Exception as error:  # reported to the parent, which raises it
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()
        sender.close()
