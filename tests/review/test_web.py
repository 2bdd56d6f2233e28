"""The review server's HTTP values and static files."""

from __future__ import annotations

import json

import pytest

from dictanote.review.web import Response, static_file


@pytest.mark.parametrize(
    ("name", "status", "content_type"),
    [
        ("review.js", 200, "text/javascript; charset=utf-8"),
        ("review.css", 200, "text/css; charset=utf-8"),
        ("icon.svg", 200, "image/svg+xml"),
        ("missing.js", 404, "text/plain; charset=utf-8"),
        ("review.py", 404, "text/plain; charset=utf-8"),
    ],
)
def test_web_static_file_serves_only_the_pages_own_files(name: str, status: int, content_type: str) -> None:
    answer = static_file(name)
    assert (answer.status, answer.content_type) == (status, content_type)
    assert (len(answer.body) > 100) is (status == 200)


def test_web_response_json_and_redirect() -> None:
    answer = Response.json({"ok": False, "error": "Sätze"}, 409)
    assert answer.status == 409 and answer.content_type == "application/json; charset=utf-8"
    assert json.loads(answer.body) == {"ok": False, "error": "Sätze"} and "Sätze".encode() in answer.body
    moved = Response.redirect("/")
    assert (moved.status, moved.body, dict(moved.headers)) == (303, b"", {"Location": "/"})
    assert Response(200, b"x").content_type == "text/html; charset=utf-8"
