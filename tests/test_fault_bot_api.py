"""The fault-injecting fake Bot API itself (tests/fault_bot_api.py), over real HTTP, in its own process."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from telegram import Bot, Update

from tests.fake_bot_api import TOKEN, message
from tests.fault_bot_api import CONFLICT, FaultBotApiProcess


@pytest.fixture(scope="module")
def fake() -> Iterator[FaultBotApiProcess]:
    with FaultBotApiProcess() as process:
        yield process


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as session:
        yield session


def url(fake: FaultBotApiProcess, label: str, method: str) -> str:
    return f"{fake.url_for(label)}{TOKEN}/{method}"


def test_a_500_window_answers_500_and_delivers_nothing(
    fake: FaultBotApiProcess, client: httpx.Client
) -> None:
    fake.fail("send*", 1.0)
    try:
        answer = client.post(url(fake, "t500", "sendMessage"), json={"chat_id": 5, "text": "你好"})
        assert answer.status_code == 500
        assert answer.json() == {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        assert client.post(url(fake, "t500", "getMe")).status_code == 200  # not a sending method
    finally:
        fake.clear_faults()
    [call] = fake.calls("sendMessage", client="t500")
    assert (call.outcome, call.status, call.chat_id, call.text) == ("failed", 500, 5, "你好")
    assert fake.delivered("sendMessage", client="t500") == []
    assert (
        client.post(url(fake, "t500", "sendMessage"), json={"chat_id": 5, "text": "再试"}).status_code == 200
    )
    assert [c.text for c in fake.delivered("sendMessage", client="t500")] == ["再试"]


def test_a_dropped_call_gets_no_answer_and_delivers_nothing(
    fake: FaultBotApiProcess, client: httpx.Client
) -> None:
    fake.drop(["sendPoll"], 1.0)
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(
                url(fake, "tdrop", "sendPoll"), json={"chat_id": 6, "question": "?", "options": ["a", "b"]}
            )
    finally:
        fake.clear_faults()
    [call] = fake.calls(client="tdrop")
    assert call.outcome == "dropped" and call.status is None and call.answered_at is None
    assert fake.delivered(client="tdrop") == []


def test_a_slow_call_is_delivered_before_it_is_answered(fake: FaultBotApiProcess) -> None:
    fake.slow("sendMessage", 1.0, 5.0)
    try:
        with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
            impatient.post(url(fake, "tslow", "sendMessage"), json={"chat_id": 7, "text": "慢"})
        [call] = fake.delivered("sendMessage", client="tslow")  # the client gave up; the message arrived
        assert call.answered_at is None and call.delayed == 1.0
        fake.wait_until(lambda: fake.calls(client="tslow")[0].answered_at is not None, 3)
        [call] = fake.calls(client="tslow")
        assert call.status == 200 and call.answered_at - call.at >= 1.0
    finally:
        fake.clear_faults()


def test_unconfirmed_updates_are_handed_out_again(fake: FaultBotApiProcess, client: httpx.Client) -> None:
    first = fake.push({"message": message("四风是什么", user_id=11)})
    second = fake.push({"message": message("四明确指什么", user_id=12)})
    poll = url(fake, "tupd", "getUpdates")
    got = client.post(poll, json={"timeout": 0}).json()["result"]
    assert [u["update_id"] for u in got] == [first, second]
    # A bot killed before its next getUpdates confirmed nothing: a restarted one gets both again.
    got = client.post(poll, json={"timeout": 0}).json()["result"]
    assert [u["update_id"] for u in got] == [first, second]
    # offset confirms what lies below it, as Telegram does; the rest comes again.
    got = client.post(poll, json={"offset": first + 1, "timeout": 0}).json()["result"]
    assert [u["update_id"] for u in got] == [second]
    state = fake.updates()
    assert first in state["confirmed"] and second in state["pending"]
    assert state["handed_out"][first] == 2 and state["handed_out"][second] == 3
    assert client.post(poll, json={"offset": second + 1, "timeout": 0}).json()["result"] == []
    assert fake.updates()["pending"] == []


def test_a_newer_poll_ends_the_older_one_with_409(fake: FaultBotApiProcess) -> None:
    answers: list[httpx.Response] = []

    def older() -> None:
        with httpx.Client(timeout=5) as one:
            answers.append(one.post(url(fake, "told", "getUpdates"), json={"timeout": 1}))

    thread = threading.Thread(target=older)
    thread.start()
    fake.wait_until(lambda: fake.count("getUpdates", client="told") > 0, 3, interval=0.02)
    time.sleep(0.05)
    with httpx.Client(timeout=5) as two:
        newer = two.post(url(fake, "tnew", "getUpdates"), json={"timeout": 0})
    thread.join(5)
    assert newer.status_code == 200
    assert answers[0].status_code == 409
    assert answers[0].json() == {"ok": False, "error_code": 409, "description": CONFLICT}
    fake.conflict(True)
    try:
        with httpx.Client(timeout=5) as three:
            assert three.post(url(fake, "tnew", "getUpdates"), json={"timeout": 0}).status_code == 409
    finally:
        fake.conflict("takeover")


def test_the_malformed_update_is_one_ptb_cannot_read() -> None:
    """The bench's bad update: PTB's Update.de_json raises on it (a message with no chat does not raise)."""
    bot = Bot(TOKEN)
    with pytest.raises(KeyError):
        Update.de_json({"update_id": 1, "message": {"message_id": "x"}}, bot)
    assert Update.de_json({"update_id": 2, "message": {"message_id": 1, "date": 0}}, bot).message.chat is None
