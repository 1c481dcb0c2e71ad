"""Grouping reserved jobs into units."""

from framework.runner.queue import Job
from framework.runner.units import MAX_UNIT, units_of


def jobs(n, body='{"type":"track"}'):
    return [Job(id=i, body=body, attempts=0, first_seen=0.0) for i in range(n)]


def test_per_message_integrations_share_jobs_between_workers():
    assert [len(u) for u in units_of(jobs(8), 4, None)] == [2, 2, 2, 2]
    assert [len(u) for u in units_of(jobs(3), 16, None)] == [1, 1, 1]
    assert max(len(u) for u in units_of(jobs(1000), 2, None)) == MAX_UNIT


def test_batches_respect_size_and_bytes():
    batch = {"size": 3, "max_bytes": None}
    assert [len(u) for u in units_of(jobs(7), 4, batch)] == [3, 3, 1]
    sized = {"size": 100, "max_bytes": 40}  # each body is 16 bytes: two per unit
    assert [len(u) for u in units_of(jobs(5), 4, sized)] == [2, 2, 1]
    big = {"size": 100, "max_bytes": 10}  # a job larger than max_bytes still gets a unit
    assert [len(u) for u in units_of(jobs(2), 4, big)] == [1, 1]
