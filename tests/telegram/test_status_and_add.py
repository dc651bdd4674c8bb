"""/status and /add need the case number together with its query code; a wrong pair reveals nothing."""

from __future__ import annotations

from store.models import InboundStatus
from tests.running import running
from tests.telegram.helpers import cases, code_at_rest, evidence, file_report, inbound, sha256, texts

CHAT, STRANGER = 5560001, 5560002
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"second photo of the receipt" * 50 + b"\xff\xd9"


async def test_status_with_a_wrong_code_says_the_same_as_an_unknown_case(tg_settings, api):
    async with running(tg_settings()):
        number, code = await file_report(api, CHAT)
        wrong = "ABCDE-FGHJK" if code != "ABCDE-FGHJK" else "BCDEF-GHJKM"
        api.text(STRANGER, f"/status {number} {wrong}")
        api.text(STRANGER, f"/status JB-2099-999999 {code}")
        api.text(STRANGER, f"/status {number}")
        wrong_code, unknown_case, usage = await texts(api, STRANGER, 3)
    assert wrong_code == unknown_case
    assert "没有与该案件编号和查询码相符的案件" in wrong_code
    assert number not in wrong_code and "登记" not in wrong_code
    assert "/status 案件编号 查询码" in usage


async def test_status_with_the_right_code_gives_status_and_dates_only(tg_settings, api):
    async with running(tg_settings()):
        number, code = await file_report(api, CHAT)
        api.text(STRANGER, f"/status {number} {code.lower().replace('-', '')}")
        answer, = await texts(api, STRANGER, 1)
    assert number in answer and "已登记，待办理" in answer and "登记日期" in answer
    assert "刘某某" not in answer and "30万" not in answer


async def test_five_wrong_codes_lock_the_chat_out_even_for_the_right_one(tg_settings, api):
    async with running(tg_settings()):
        number, code = await file_report(api, CHAT)
        for n in range(5):
            api.text(STRANGER, f"/status {number} WRONG-CODE{n}")
        api.text(STRANGER, f"/status {number} {code}")
        api.text(STRANGER, f"/add {number} {code}")
        received = await texts(api, STRANGER, 7)
    assert all("没有与该案件编号和查询码相符" in text for text in received[:5])
    assert "错误次数过多" in received[5] and "错误次数过多" in received[6]


async def test_add_with_the_right_code_joins_the_material_to_the_case(tg_settings, api):
    settings = tg_settings()
    async with running(settings):
        number, code = await file_report(api, CHAT)
        # From another chat (a new phone): the code is what proves the right to add.
        api.text(STRANGER, f"/add {number} {code}")
        api.text(STRANGER, "补充：刘某某的亲戚公司名叫某某建设有限公司。")
        api.photo(STRANGER, PHOTO)
        api.text(STRANGER, "/done")
        received = await texts(api, STRANGER, 5)
    assert number in received[0]
    assert sum("补充材料已提交" in text for text in received) == 1
    confirmation, = (text for text in received if "补充材料已收到" in text)   # sent by the outbox
    assert number in confirmation and "1 个文件" in confirmation
    case, = cases(settings)
    first, second = inbound(settings)
    assert second.status == InboundStatus.FOLLOW_UP and second.case_id == case.id
    items = evidence(settings, case.id)
    assert items[-1].sha256 == sha256(PHOTO) and items[-1].inbound_id == second.id
    assert not code_at_rest(settings, code)


async def test_add_with_a_wrong_code_is_refused_like_status(tg_settings, api):
    settings = tg_settings()
    async with running(settings):
        number, _ = await file_report(api, CHAT)
        api.text(STRANGER, f"/add {number} ABCDE-FGHJK")
        api.text(STRANGER, "这段话不应被收进任何案件。")
        refused, help_text = await texts(api, STRANGER, 2)
    assert "没有与该案件编号和查询码相符" in refused
    assert help_text.startswith("没有理解")
    assert len(inbound(settings)) == 1
