"""What the cooperative hub's tests share: the patience of a wait, and both pollers."""

from __future__ import annotations

import pytest

from framework import cooperative, pollers

#: The longest any wait may take before the test counts it as a lost wake-up.
PATIENCE = 5.0


@pytest.fixture(params=["epoll", "selectors"], autouse=True)
def poller(request, monkeypatch):
    """The hubs made in the test wait with this poller."""
    kind = pollers.EpollPoller if request.param == "epoll" else pollers.SelectorPoller
    monkeypatch.setattr(cooperative, "make_poller", kind)
    return request.param
