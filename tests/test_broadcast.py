"""The sliding window that keeps sends under Telegram's limit, and the broadcast's bookkeeping."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.telegram.broadcast import Pacer, broadcast, is_gone


async def test_no_window_ever_holds_more_than_the_limit() -> None:
    pacer = Pacer(limit=5, window=0.2)
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def sender() -> None:
        for _ in range(4):
            async with pacer.slot():
                sent.append(loop.time())
                await asyncio.sleep(0.01)  # the request on its way

    await asyncio.gather(*(sender() for _ in range(5)))
    sent.sort()
    assert len(sent) == 20
    assert max(sum(1 for t in sent if start <= t < start + 0.2) for start in sent) <= 5
    assert sent[-1] - sent[0] >= 0.6  # 20 sends, 5 per 0.2 s: three more windows after the first


async def test_sends_held_up_on_their_way_cannot_bunch_past_the_limit() -> None:
    """A process that stalls holds its sends and lets them go together: the places count until they land."""
    pacer = Pacer(limit=3, window=0.2)
    loop = asyncio.get_running_loop()
    arrived: list[float] = []
    stall = asyncio.Event()

    async def send(n: int) -> None:
        async with pacer.slot():
            if n < 3:
                await stall.wait()  # the first three are let go, then held on the way
            arrived.append(loop.time())

    tasks = [asyncio.create_task(send(n)) for n in range(6)]
    await asyncio.sleep(0.3)  # longer than the window: a window on departures alone would let more go
    assert arrived == []
    stall.set()
    await asyncio.gather(*tasks)
    arrived.sort()
    assert max(sum(1 for t in arrived if start <= t < start + 0.2) for start in arrived) <= 3


@pytest.mark.parametrize(
    ("error", "gone"),
    [(Forbidden("Forbidden: bot was blocked by the user"), True), (BadRequest("Chat not found"), True),
     (BadRequest("Message is too long"), False), (NetworkError("timeout"), False)],
)  # fmt: skip
def test_which_errors_mean_the_chat_is_gone(error: Exception, gone: bool) -> None:
    assert is_gone(error) is gone


async def test_every_chat_is_tried_once_and_failures_are_sorted() -> None:
    unsubscribed: list[int] = []

    async def serve(chat_id: int) -> int:
        await asyncio.sleep(0)
        if chat_id == 3:
            raise Forbidden("Forbidden: bot was kicked from the group chat")
        if chat_id == 4:
            raise NetworkError("connection reset")
        return 2

    async def on_gone(chat_id: int) -> None:
        unsubscribed.append(chat_id)

    report = await broadcast(range(1, 11), serve, on_gone=on_gone, workers=3)
    assert (report.chats, report.sent, report.gone, report.failed) == (8, 16, [3], [4])
    assert unsubscribed == [3]


async def test_what_telegram_did_not_receive_is_tried_again_but_a_send_that_may_have_arrived_is_not() -> None:
    from telegram.error import NetworkError, TimedOut

    from bot.telegram.broadcast import DeliveryUncertain, with_retry

    attempts: list[str] = []

    async def flaky() -> str:
        attempts.append("x")
        if len(attempts) < 3:
            raise NetworkError("Internal Server Error")  # Telegram's 5xx: PTB raises it without a cause
        return "sent"

    assert await with_retry(flaky, network_wait=0.001) == "sent" and len(attempts) == 3

    async def slow() -> str:
        attempts.append("t")
        raise DeliveryUncertain("sendPoll: no answer in time")

    with pytest.raises(TimedOut):
        await with_retry(slow, network_wait=0.001)
    assert attempts.count("t") == 1

    async def refused() -> str:
        attempts.append("y")
        raise BadRequest("Bad Request: message text is empty")

    with pytest.raises(BadRequest):
        await with_retry(refused, network_wait=0.001)
    assert attempts.count("y") == 1


def caused_by(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "received"),
    [
        (lambda h, e: e.NetworkError("Bad Gateway"), False),  # Telegram answered 502: not carried out
        (lambda h, e: caused_by(e.NetworkError("x"), h.ConnectError("refused")), False),
        (lambda h, e: caused_by(e.NetworkError("x"), h.RemoteProtocolError("closed")), False),
        (lambda h, e: caused_by(e.TimedOut(), h.ConnectTimeout("connect")), False),
        (lambda h, e: caused_by(e.TimedOut(), h.PoolTimeout("pool")), False),
        (lambda h, e: caused_by(e.TimedOut(), h.ReadTimeout("read")), None),  # left, may have arrived
    ],
)
def test_failures_are_told_apart_by_whether_telegram_may_have_carried_the_request_out(
    error, received
) -> None:
    import httpx
    import telegram.error

    from bot.telegram.broadcast import may_have_arrived, not_received

    made = error(httpx, telegram.error)
    if received is None:
        assert may_have_arrived(made) and not not_received(made)
    else:
        assert not_received(made) and not may_have_arrived(made)
    assert not not_received(BadRequest("Bad Request: chat not found"))
