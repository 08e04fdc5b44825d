"""The background job of the sunlight check (``touring.selection.Background``): its result
is applied only by ``poll`` on the caller's thread, only once, and only for the last job
asked for. No window, no timing: the jobs wait on events the test sets."""

from __future__ import annotations

import threading

from gwangju_twin.touring.selection import Background


def test_the_result_is_applied_by_poll_once() -> None:
    job = Background("test")
    go = threading.Event()
    got: list[int] = []
    job.start(lambda: go.wait(60.0) and 7, got.append)
    assert job.busy and job.poll() is False and got == []  # not done yet
    go.set()
    job.wait(60.0)
    assert got == []  # done, but applied only when polled
    assert job.poll() is True and got == [7]
    assert not job.busy and job.poll() is False and got == [7]
    job.close()


def test_a_new_job_supersedes_the_one_before() -> None:
    job = Background("test")
    go = threading.Event()
    got: list[str] = []
    job.start(lambda: go.wait(60.0) and "first", got.append)
    job.start(lambda: "second", got.append)
    go.set()
    job.wait(60.0)
    assert job.poll() is True and got == ["second"]
    job.close()


def test_a_cancelled_job_is_never_applied() -> None:
    job = Background("test")
    go = threading.Event()
    got: list[str] = []
    job.start(lambda: go.wait(60.0) and "late", got.append)
    job.cancel()
    go.set()
    assert not job.busy and job.poll() is False and got == []
    job.close()
