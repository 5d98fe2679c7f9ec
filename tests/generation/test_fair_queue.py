"""The generation queue: bounded slots, a bounded wait served round-robin by tenant, and campaign
work behind API requests. Deterministic: one event loop, slots released by hand."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

import pytest
from pydantic import ValidationError

from offergen.generation.fair_queue import FairQueue, GenerationLimits, Overloaded, SlotAbandoned


def limits(**over: Any) -> GenerationLimits:
    base: dict[str, Any] = {
        "max_in_flight": 1,
        "max_queue": 10,
        "max_queue_per_tenant": 10,
        "interactive_reserve": 0,
    }
    return GenerationLimits(**(base | over))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coro)


def test_slots_are_granted_round_robin_by_tenant_so_a_burst_does_not_starve_others() -> None:
    async def scenario() -> None:
        q = FairQueue(limits(max_in_flight=1))
        served: list[str] = []
        await q.acquire("acme")  # the one slot

        async def caller(name: str, tenant: str) -> None:
            await q.acquire(tenant)
            served.append(name)

        tasks = [asyncio.create_task(caller(f"a{i}", "acme")) for i in range(4)]
        await settle()
        tasks.append(asyncio.create_task(caller("g0", "globex")))
        tasks.append(asyncio.create_task(caller("i0", "initech")))
        await settle()
        assert q.waiting == 6 and q.waiting_for("acme") == 4
        while len(served) < 6:
            q.release()
            await settle()
        # globex and initech came after acme's whole burst, yet each waits one acme turn at most
        assert served == ["a0", "g0", "i0", "a1", "a2", "a3"]
        await asyncio.gather(*tasks)
        assert q.in_flight == 1 and q.waiting == 0

    run(scenario())


def test_no_room_to_wait_is_refused_at_once_429_for_the_tenant_503_for_everyone() -> None:
    async def scenario() -> None:
        q = FairQueue(limits(max_in_flight=1, max_queue=3, max_queue_per_tenant=2))
        await q.acquire("acme")
        waiting = [asyncio.create_task(q.acquire("acme")) for _ in range(2)]
        await settle()
        with pytest.raises(Overloaded) as own:
            await q.acquire("acme")  # acme's share of the queue is full
        assert own.value.status == 429 and own.value.retry_after_s == 2
        waiting.append(asyncio.create_task(q.acquire("globex")))  # globex still gets in
        await settle()
        with pytest.raises(Overloaded) as full:
            await q.acquire("initech")  # the whole queue is full
        assert full.value.status == 503
        for _ in range(3):
            q.release()
            await settle()
        await asyncio.gather(*waiting)

    run(scenario())


def test_a_wait_that_runs_out_is_a_503_and_leaves_no_trace() -> None:
    async def scenario() -> None:
        q = FairQueue(limits(max_wait_s=0.05))
        await q.acquire("acme")
        with pytest.raises(Overloaded) as exc:
            await q.acquire("globex")
        assert exc.value.status == 503 and "within 0.05 s" in exc.value.detail
        assert q.waiting == 0 and q.in_flight == 1

    run(scenario())


def test_a_caller_that_goes_away_gives_up_its_place_and_no_slot_leaks() -> None:
    async def scenario() -> None:
        q = FairQueue(limits())
        await q.acquire("acme")
        gone = asyncio.create_task(q.acquire("acme"))
        stays = asyncio.create_task(q.acquire("globex"))
        await settle()
        gone.cancel()
        await settle()
        q.release()
        await settle()
        assert stays.done() and q.in_flight == 1 and q.waiting == 0

    run(scenario())


def test_campaign_work_waits_for_api_requests_and_never_takes_the_reserve() -> None:
    async def scenario() -> None:
        q = FairQueue(limits(max_in_flight=3, interactive_reserve=1))
        order: list[str] = []

        async def campaign(name: str) -> None:
            await q.acquire_background()
            order.append(name)

        await q.acquire_background()
        await q.acquire_background()  # 2 of 3: the third slot is the API's reserve
        c = asyncio.create_task(campaign("c2"))
        await settle()
        assert not c.done() and q.background_waiting == 1
        await q.acquire("acme")  # the reserve: at once
        api = asyncio.create_task(q.acquire("acme"))  # full: waits
        await settle()
        q.release(background=True)  # a campaign slot frees up: the API waiter gets it
        await settle()
        assert api.done() and not c.done()
        q.release()
        q.release()  # two API slots free: the campaign may take one of them, not the reserve
        await settle()
        assert order == ["c2"] and q.background_in_flight == 2

    run(scenario())


def test_worker_threads_take_campaign_slots_on_the_servers_loop() -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        q = FairQueue(limits(max_in_flight=1))
        q.bind(loop)
        with q.background_slot():
            assert q.in_flight == 1 and q.background_in_flight == 1
            stop = threading.Event()
            stop.set()  # a stopping worker does not wait for a slot it would not use
            with pytest.raises(SlotAbandoned), q.background_slot(stop):
                pass
        asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(1)
        assert q.in_flight == 0 and q.background_waiting == 0
        q.unbind()
        with q.background_slot():  # no server: nothing to share
            assert q.in_flight == 0
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_limits_are_validated() -> None:
    with pytest.raises(ValidationError, match="interactive_reserve must be less"):
        GenerationLimits(max_in_flight=2, interactive_reserve=2)
    with pytest.raises(ValidationError, match="max_queue_per_tenant must be at most"):
        GenerationLimits(max_queue=2, max_queue_per_tenant=3)
    assert GenerationLimits(max_queue=2).tenant_queue == 1  # half the queue unless set
    assert GenerationLimits(max_queue=0).tenant_queue == 0
    with pytest.raises(ValidationError, match="extra"):
        GenerationLimits.model_validate({"max_inflight": 3})
