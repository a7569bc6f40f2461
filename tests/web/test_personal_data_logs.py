"""No full ID number in any log (issue 18 §5): household search by POST, request lines and log messages
redacted, the duplicate check telling another township only that the number is registered elsewhere."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from django.urls import reverse

from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household
from jiuzhu.core.logs import JsonFormatter, RedactFilter, logging_config, redact
from tests.conftest import AS_OF, VILLAGE_B, make_id
from tests.web.helpers import field_error, form_post


def _id_of(person):
    return pii.open_(person.id_number_enc, purpose="id_number")


def test_search_form_posts_and_finds_by_id_number(client, caseworker, household):
    # given the caseworker on the household list
    client.force_login(caseworker)
    page = client.get(reverse("web:household_list")).content.decode()
    number = _id_of(household.head)
    # when the search form is sent (it posts, with the CSRF token) with a full ID number
    assert '<form method="post" action="/households/" class="filters" role="search">' in page
    response = client.post(reverse("web:household_list"), {"q": number})
    # then the household is found and the number is in no link of the page
    html = response.content.decode()
    assert response.status_code == 200 and household.number in html
    assert f"q={number}" not in html and "q=" + number[:6] not in html


def test_search_by_post_needs_the_csrf_token(caseworker, household):
    # given a client that enforces CSRF like a browser
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    # when the search is posted without the token / then it is refused
    assert client.post(reverse("web:household_list"), {"q": "张"}).status_code == 403


def test_request_log_line_has_no_query_string_nor_id_number(client, caseworker, household, caplog):
    # given an ID-number search sent the old way, in the query string
    client.force_login(caseworker)
    number = _id_of(household.head)
    # when it is requested
    logger = logging.getLogger("jiuzhu.request")  # does not propagate: listen on it directly
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="jiuzhu.request"):
            response = client.get(reverse("web:household_list"), {"q": number})
    finally:
        logger.removeHandler(caplog.handler)
    # then the request is logged once, with its request id and path, and never the number
    records = [r for r in caplog.records if r.name == "jiuzhu.request"]
    assert len(records) == 1 and response.status_code == 200
    record = records[0]
    assert record.http["path"] == "/households/" and record.http["status"] == 200
    assert record.request_id == response["X-Request-ID"]
    line = JsonFormatter().format(record)
    assert number not in line and number[6:14] not in line and "q=" not in line


def test_redaction_of_runserver_lines_and_free_text():
    # given a django.server request line and a message carrying an ID number and a bank account
    number = make_id()
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /households/?q={number}&village=330127100201 HTTP/1.1", "200", "123"), None)
    # when the filter runs
    RedactFilter().filter(record)
    # then the query string is gone, the rest kept
    assert record.getMessage() == '"GET /households/?… HTTP/1.1" 200 123'
    assert number not in redact(f"查无此人 {number}，账号 6228480012345678901")
    assert redact(f"身份证号{number}查询") == "身份证号[身份证号已隐去]查询"


def test_every_handler_redacts():
    # given the LOGGING setting of any environment
    config = logging_config(fmt="json", level="WARNING", request_level="INFO")
    # then every handler carries the redaction and request-id filters
    assert all({"redact", "request_id"} <= set(h["filters"]) for h in config["handlers"].values())


def test_gunicorn_access_log_has_no_query_string(tmp_path):
    # given the gunicorn settings `jiuzhu serve` uses
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from jiuzhu import gunicorn_conf

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", gunicorn_conf.access_log_format)
    number = make_id()
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/households/?q={number}", "PATH_INFO": "/households/",
               "QUERY_STRING": f"q={number}", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.8",
               "HTTP_REFERER": f"https://jz.example/households/?q={number}", "HTTP_USER_AGENT": "test"}
    response = SimpleNamespace(status="200 OK", status_code=200, sent=512, response_length=512,
                               headers=[("X-Request-ID", "abc12345")])
    # when a request for an ID-number search is logged
    from datetime import timedelta

    Logger(cfg).access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    line = (tmp_path / "access.log").read_text()
    # then the line has the method, path, status and request id, and no query string or Referer
    assert "GET /households/ HTTP/1.1" in line and " 200 " in line and "abc12345" in line
    assert number not in line and "?" not in line


# --- the duplicate check across townships ---

def test_duplicate_check_tells_another_township_only_that_it_is_registered(client, outsider, household,
                                                                             household_data):
    # given township B's caseworker registering a person already in township A's household
    data = household_data(region=VILLAGE_B)
    data["members"][0].update(name="王大明", id_number=make_id())
    data["members"][1].update(name="王小二", id_number=_id_of(household.head))
    client.force_login(outsider)
    # when the form is sent
    response = client.post(reverse("web:household_create"), form_post(data))
    # then the ID field says the number is registered elsewhere, and nothing about that household
    html = response.content.decode()
    message = field_error(html, "m-1-id_number")
    assert response.status_code == 422
    assert "已在其他地区登记" in message
    assert household.number not in html and "张*" not in html and "张建国" not in html
    assert Household.objects.count() == 1


def test_duplicate_check_over_the_api_from_another_township(client, outsider, household, household_data):
    # given township B's API client registering township A's head again
    from jiuzhu.apps.accounts.tokens import token_create

    _, raw = token_create(user=outsider)
    data = household_data(region=VILLAGE_B)
    data["members"][1]["id_number"] = _id_of(household.head)
    # when
    response = client.post("/api/v1/households", data=data, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then 409 with the field, and neither the household number nor its head's surname
    body = response.json()
    assert response.status_code == 409 and body["code"] == "person.in_other_household"
    assert body["details"] == {"field": "members[1].id_number"}
    assert household.number not in response.content.decode() and "张*" not in body["message"]


def test_duplicate_check_in_own_township_still_names_the_household(caseworker, household, household_data):
    # given the same township's caseworker
    from jiuzhu.apps.registry.services import household_create
    from jiuzhu.rules.errors import Conflict

    data = household_data()
    data["members"][1]["id_number"] = _id_of(household.head)
    # when / then the conflict names the household (they may open it)
    try:
        household_create(actor=caseworker, data=data, as_of=AS_OF)
    except Conflict as exc:
        assert household.number in exc.message and exc.details["household"] == household.number
    else:
        raise AssertionError("expected a conflict")


def test_tracebacks_are_redacted_in_both_formats():
    # given an error whose message carries an ID number
    from jiuzhu.core.logs import TextFormatter

    number = make_id()
    try:
        raise ValueError(f"no person {number}")
    except ValueError:
        import sys

        record = logging.LogRecord("jiuzhu", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    # when it is formatted as JSON or as text / then the number is gone from the traceback
    RedactFilter().filter(record)
    assert number not in JsonFormatter().format(record)
    record.exc_text = None
    record.request_id = ""
    assert number not in TextFormatter().format(record)
