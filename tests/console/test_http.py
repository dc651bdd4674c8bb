"""The console over HTTP: sign-in with password and one-time code, sessions and their limits, the
CSRF token on every change, the lockout, the headers, and what each role may see and do."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from store import audit
from store.models import AuditEvent, Case, StaffAccount
from tests.console.conftest import PASSWORD, add_account, code, csrf_of, file_report, sign_in

pytestmark = pytest.mark.slow

# PostgreSQL for what takes locks or counts on the database; the rest of the HTTP behaviour is the
# same on both and runs once.
PAGES = ["/", "/stats", "/audit", "/accounts", "/cases/JB-2026-000001", "/cases/JB-2026-000001/evidence/0"]
CHANGES = ["reveal", "assign", "labels", "notes", "status", "merge"]


def events(store, action: str) -> list[AuditEvent]:
    with store.reading() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_health_answers_ok_without_a_session(console):
    app, _, _ = console
    answer = TestClient(app).get("/healthz")
    assert answer.status_code == 200 and answer.text == "ok"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_page_but_login_and_health_sends_a_stranger_to_login(console, path):
    app, _, _ = console
    answer = TestClient(app, follow_redirects=False).get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_answer_carries_the_security_headers(console, clock):
    app, store, _ = console
    client, _ = sign_in(app, store, clock, "li", "clerk")
    for path in ("/login", "/", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_session_cookie_is_http_only_and_same_site_strict(console, clock):
    app, store, _ = console
    add_account(store, "li", "clerk")
    client = TestClient(app, follow_redirects=False)
    login = client.get("/login")
    assert "httponly" in login.headers["set-cookie"].lower() and "samesite=strict" in login.headers["set-cookie"].lower()
    with store.reading() as session:
        secret = session.exec(select(StaffAccount)).one().totp_secret
    answer = client.post("/login", data={"username": "li", "password": PASSWORD, "code": code(secret, clock.now),
                                         "csrf_token": csrf_of(login.text)})
    cookie = answer.headers["set-cookie"].lower()
    assert answer.status_code == 303 and "intake_session=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_wrong_code_is_refused_and_a_code_works_only_once(console, clock):
    app, store, _ = console
    secret = add_account(store, "li", "clerk")
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    wrong = client.post("/login", data={"username": "li", "password": PASSWORD, "code": "000000", "csrf_token": token})
    if code(secret, clock.now) == "000000":
        pytest.skip("the right code happened to be 000000")
    assert wrong.status_code == 401 and "intake_session" not in wrong.headers.get("set-cookie", "")
    right = code(secret, clock.now)
    assert client.post("/login", data={"username": "li", "password": PASSWORD, "code": right,
                                       "csrf_token": token}).status_code == 303
    other = TestClient(app, follow_redirects=False)
    token = csrf_of(other.get("/login").text)
    again = other.post("/login", data={"username": "li", "password": PASSWORD, "code": right, "csrf_token": token})
    assert again.status_code == 401
    assert [e.details["reason"] for e in events(store, "staff.login_failed")] == ["code", "code"]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_login_without_its_csrf_token_is_refused(console, clock):
    app, store, _ = console
    secret = add_account(store, "li", "clerk")
    client = TestClient(app, follow_redirects=False)
    client.get("/login")
    answer = client.post("/login", data={"username": "li", "password": PASSWORD, "code": code(secret, clock.now)})
    assert answer.status_code == 403


def test_five_failed_logins_lock_the_account_and_slow_the_address_for_15_minutes(console, clock):
    app, store, _ = console
    secret = add_account(store, "li", "clerk")
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        answer = client.post("/login", data={"username": "li", "password": "wrong password!", "code": "123456",
                                             "csrf_token": token})
        assert answer.status_code == 401
    slowed = client.post("/login", data={"username": "li", "password": PASSWORD, "code": code(secret, clock.now),
                                         "csrf_token": token})
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "900"
    failed = events(store, "staff.login_failed")
    assert len(failed) == 5 and failed[-1].details["locked"] is True
    # From another address the account itself is still locked, the right password and code or not.
    clock.now += timedelta(minutes=1)
    elsewhere = TestClient(app, follow_redirects=False, client=("192.0.2.7", 50000))
    token = csrf_of(elsewhere.get("/login").text)
    locked = elsewhere.post("/login", data={"username": "li", "password": PASSWORD,
                                            "code": code(secret, clock.now), "csrf_token": token})
    assert locked.status_code == 401 and events(store, "staff.login_failed")[-1].details["reason"] == "locked"
    clock.now += timedelta(minutes=16)
    fine = elsewhere.post("/login", data={"username": "li", "password": PASSWORD,
                                          "code": code(secret, clock.now), "csrf_token": token})
    assert fine.status_code == 303


def test_an_idle_session_ends_after_30_minutes_and_any_after_12_hours(console, clock):
    app, store, _ = console
    client, _ = sign_in(app, store, clock, "li", "clerk")
    clock.now += timedelta(minutes=29)
    assert client.get("/").status_code == 200
    clock.now += timedelta(minutes=31)
    assert client.get("/").headers["location"] == "/login"
    assert events(store, "staff.logout")[-1].details["why"] == "idle"
    client, _ = sign_in(app, store, clock, "wang", "clerk")
    for _ in range(25):
        clock.now += timedelta(minutes=29)
        client.get("/")
    assert client.get("/").headers["location"] == "/login"
    assert events(store, "staff.logout")[-1].details["why"] == "expired"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_signing_out_ends_the_session_on_the_server(console, clock):
    app, store, _ = console
    client, token = sign_in(app, store, clock, "li", "clerk")
    cookie = client.cookies.get("intake_session")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    replay = TestClient(app, follow_redirects=False, cookies={"intake_session": cookie})
    assert replay.get("/").headers["location"] == "/login"


@pytest.mark.parametrize("action", CHANGES)
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_change_without_the_csrf_token_is_refused(console, pipeline, clock, action):
    app, store, _ = console
    case = file_report(pipeline)
    client, _ = sign_in(app, store, clock, "boss", "supervisor")
    before = len(events(store, "case.viewed"))
    answer = client.post(f"/cases/{case.number}/{action}", data={"reason": "x", "assignee": "boss", "text": "x",
                                                                  "status": "accepted", "into": case.number})
    assert answer.status_code == 403
    forged = client.post(f"/cases/{case.number}/{action}", data={"csrf_token": "forged", "reason": "x"})
    assert forged.status_code == 403
    assert client.post("/logout").status_code == 403
    with store.reading() as session:
        assert session.exec(select(Case)).one().status == "new"
    assert len(events(store, "case.viewed")) == before
    assert not events(store, "reporter.revealed") and not events(store, "case.note")


def test_a_clerk_works_a_case_but_never_sees_the_reporter(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    client, token = sign_in(app, store, clock, "li", "clerk")
    for path in ("/", f"/cases/{case.number}", f"/?q={case.number}"):
        html = client.get(path).text
        assert case.number in html
        for secret in ("zhang.san1@example.org", "13800138000", "110101199001011234"[:6] + "19900101"):
            assert secret not in html
    assert "实名举报人" in client.get(f"/cases/{case.number}").text
    assert client.post(f"/cases/{case.number}/reveal", data={"csrf_token": token, "reason": "核实"}).status_code == 404
    assert client.get(f"/cases/{case.number}/evidence/1").status_code == 404
    corrected = "abuse_of_power" if case.violation == "bribery" else "bribery"
    answer = client.post(f"/cases/{case.number}/labels", data={"csrf_token": token, "violation": corrected,
                                                                "kind": case.kind, "area": case.area})
    assert answer.status_code == 303
    page = client.get(f"/cases/{case.number}").text
    assert "staff:li" in page
    labelled, = events(store, "case.labelled")
    assert labelled.actor == "staff:li"
    assert labelled.details["changes"] == {"violation": {"from": case.violation, "to": corrected}}
    assert client.post(f"/cases/{case.number}/labels", data={"csrf_token": token, "violation": "<script>"}
                       ).status_code == 400
    viewed = events(store, "case.viewed")
    assert viewed and all(e.actor == "staff:li" for e in viewed)


def test_a_supervisor_reveals_the_reporter_only_with_a_reason_and_the_trail_shows_it(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    client, token = sign_in(app, store, clock, "boss", "supervisor")
    assert "zhang.san1@example.org" not in client.get(f"/cases/{case.number}").text
    refused = client.post(f"/cases/{case.number}/reveal", data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 400 and "zhang.san1@example.org" not in refused.text
    shown = client.post(f"/cases/{case.number}/reveal", data={"csrf_token": token, "reason": "需联系举报人核实线索"})
    assert shown.status_code == 200 and "zhang.san1@example.org" in shown.text
    revealed, = events(store, "reporter.revealed")
    assert revealed.actor == "staff:boss" and revealed.details["reason"] == "需联系举报人核实线索"
    trail = client.get(f"/cases/{case.number}").text
    assert "reporter.revealed" in trail and "需联系举报人核实线索" in trail
    assert "zhang.san1@example.org" not in trail


def test_an_investigator_sees_only_the_cases_assigned_to_him(console, pipeline, clock):
    app, store, _ = console
    mine, other = file_report(pipeline, 1), file_report(pipeline, 2)
    boss, boss_token = sign_in(app, store, clock, "boss", "supervisor")
    client, _ = sign_in(app, store, clock, "zhao", "investigator")
    assert boss.post(f"/cases/{mine.number}/assign", data={"csrf_token": boss_token,
                                                             "assignee": "zhao"}).status_code == 303
    assert client.get(f"/cases/{other.number}").status_code == 404
    assert client.get(f"/cases/{other.number}/evidence/0").status_code == 404
    queue = client.get(f"/?assignee=boss").text
    assert mine.number in queue and other.number not in queue
    assert client.get(f"/cases/{mine.number}").status_code == 200
    # The message as it came names its sender: not for an investigator.
    assert client.get(f"/cases/{mine.number}/evidence/0").status_code == 404
    download = client.get(f"/cases/{mine.number}/evidence/1")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert hashlib.sha256(download.content).hexdigest() == download.headers["x-evidence-sha256"]
    assert download.content.startswith(b"%PDF-1.4 receipt")
    assert events(store, "evidence.downloaded")[-1].actor == "staff:zhao"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_roles_without_case_content_see_none(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    auditor, _ = sign_in(app, store, clock, "shen", "auditor")
    admin, _ = sign_in(app, store, clock, "root", "admin")
    for client in (auditor, admin):
        assert client.get(f"/cases/{case.number}").status_code == 404
        assert client.get("/").status_code == 404
    log = auditor.get("/audit?verify=1").text
    assert "staff.login" in log and ("审计链完整" in log or "chain is whole" in log)
    assert "root" in admin.get("/accounts").text and admin.get("/audit").status_code == 404


def test_a_status_change_goes_through_the_procedure_and_a_wrong_one_is_refused(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    client, token = sign_in(app, store, clock, "boss", "supervisor")
    wrong = client.post(f"/cases/{case.number}/status", data={"csrf_token": token, "status": "closed"})
    assert wrong.status_code == 400 and "it may go to" in wrong.text
    preview = client.post(f"/cases/{case.number}/status", data={"csrf_token": token, "status": "accepted",
                                                                 "preview": "1"})
    assert preview.status_code == 200 and case.number in preview.text
    with store.reading() as session:
        assert session.exec(select(Case)).one().status == "new"
    done = client.post(f"/cases/{case.number}/status", data={"csrf_token": token, "status": "accepted"})
    assert done.status_code == 303
    with store.reading() as session:
        assert session.exec(select(Case)).one().status == "accepted"
    changed = events(store, "case.status")[-1]
    assert changed.actor == "staff:boss" and changed.details["to"] == "accepted"
    clerk, clerk_token = sign_in(app, store, clock, "li", "clerk")
    refused = clerk.post(f"/cases/{case.number}/status", data={"csrf_token": clerk_token, "status": "not_accepted",
                                                               "reason": "not_specific"})
    assert refused.status_code == 400


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_statistics_agree_with_the_queue_and_download_as_csv(console, pipeline, clock):
    app, store, _ = console
    for n in (1, 2, 3):
        file_report(pipeline, n)
    client, _ = sign_in(app, store, clock, "li", "clerk")
    page = client.get("/stats?by=kind")
    assert page.status_code == 200 and "<svg" in page.text
    csv = client.get("/stats?by=kind&format=csv")
    assert csv.headers["content-disposition"].startswith("attachment;")
    lines = csv.text.splitlines()
    assert lines[0].startswith("group,total") and lines[-1].startswith("all,3,")


def test_the_chain_stays_whole_after_console_work(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    client, token = sign_in(app, store, clock, "boss", "supervisor")
    client.post(f"/cases/{case.number}/notes", data={"csrf_token": token, "text": "约谈安排在下周"})
    client.post(f"/cases/{case.number}/reveal", data={"csrf_token": token, "reason": "核实"})
    with store.reading() as session:
        assert list(audit.check_chain(session)) == []
        note = events(store, "case.note")[-1]
    assert "约谈" not in str(note.details)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_supervisor_exports_the_verifiable_bundle_and_a_clerk_cannot(console, pipeline, clock):
    import io
    import zipfile

    app, store, _ = console
    case = file_report(pipeline)
    clerk, clerk_token = sign_in(app, store, clock, "li", "clerk")
    assert clerk.post(f"/cases/{case.number}/export", data={"csrf_token": clerk_token}).status_code == 404
    boss, token = sign_in(app, store, clock, "boss", "supervisor")
    answer = boss.post(f"/cases/{case.number}/export", data={"csrf_token": token})
    assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(answer.content)) as bundle:
        sums = bundle.read("SHA256SUMS").decode().splitlines()
        for line in sums:
            digest, name = line.split("  ")
            assert hashlib.sha256(bundle.read(name)).hexdigest() == digest
    assert len(sums) == 2 and events(store, "evidence.exported")[-1].actor == "staff:boss"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_account_switches_its_language_and_goes_back_only_within_the_site(console, pipeline, clock):
    app, store, _ = console
    case = file_report(pipeline)
    client, token = sign_in(app, store, clock, "li", "clerk")
    assert "待办队列" in client.get("/").text
    back = client.post("/language", data={"csrf_token": token, "language": "en", "back": f"/cases/{case.number}"})
    assert back.status_code == 303 and back.headers["location"] == f"/cases/{case.number}"
    assert "Queue" in client.get("/").text and "real-name reporter" in client.get(f"/cases/{case.number}").text
    away = client.post("/language", data={"csrf_token": token, "language": "zh", "back": "//evil.example/"})
    assert away.headers["location"] == "/"
    assert client.post("/language", data={"csrf_token": token, "language": "fr"}).status_code == 400


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_check_filter_lists_the_cases_the_classifier_asked_to_review(console, pipeline, clock):
    app, store, settings = console
    sure, unsure = file_report(pipeline, 1), file_report(pipeline, 2)
    assert 0 < sure.confidence <= 1          # filing keeps the classifier's figure
    with store.transaction() as session:
        for number, confidence, review in ((sure.number, 0.99, False), (unsure.number, 0.41, True)):
            row = session.exec(select(Case).where(Case.number == number)).one()
            row.confidence, row.review = confidence, review
            session.add(row)
    client, token = sign_in(app, store, clock, "li", "clerk")
    listed = client.get("/?check=1").text
    assert unsure.number in listed and sure.number not in listed
    page = client.get(f"/cases/{unsure.number}").text
    assert "41%" in page and "需复核" in page
    # a clerk's correction is the review asked for
    corrected = "abuse_of_power" if unsure.violation == "bribery" else "bribery"
    client.post(f"/cases/{unsure.number}/labels", data={"csrf_token": token, "kind": unsure.kind, "area": unsure.area,
                                                        "violation": corrected})
    assert unsure.number not in client.get("/?check=1").text


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_filing_keeps_the_classifiers_call_for_review(console, pipeline, monkeypatch):
    original = pipeline.preparer.classify
    for number, review in ((1, True), (2, False)):
        monkeypatch.setattr(pipeline.preparer, "classify", lambda s, t, review=review: {**original(s, t), "review": review})
        assert file_report(pipeline, number).review is review
    # a result that says nothing of review (an older classifier) is for review
    monkeypatch.setattr(pipeline.preparer, "classify",
                        lambda s, t: {k: v for k, v in original(s, t).items() if k != "review"})
    assert file_report(pipeline, 3).review is True


def test_a_search_finds_cases_by_official_body_or_words_but_never_by_the_reporter(console, pipeline, clock):
    app, store, _ = console
    transport = file_report(pipeline, 1)
    welfare = file_report(pipeline, 2, subject="反映村主任王某侵占低保金",
                          body="村委会主任王某把我们村五户困难群众的低保金扣下自己用了。我叫赵六，电话13900139000。",
                          sender="villager@example.org")

    def found(query: str) -> set[str]:
        html = client.get("/", params={"q": query}).text
        return {number for number in (transport.number, welfare.number) if number in html}

    client, _ = sign_in(app, store, clock, "li", "clerk")
    assert found("县交通局局长李某") == {transport.number}
    assert found("交通局") == {transport.number}
    assert found("低保金") == {welfare.number}
    assert found("侵占") == {welfare.number}
    assert found(transport.number) == {transport.number}
    # The reporters' own names and numbers find nothing, though the reports contain them.
    for reporter in ("张三", "赵六", "13800138000", "13900139000", "zhang.san1", "villager@example.org"):
        assert found(reporter) == set(), reporter
