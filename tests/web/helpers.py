"""Helpers for web tests: turning household input dicts into form POSTs and finding field errors."""

from __future__ import annotations

import re
from html import unescape


def form_post(data: dict, rows: int = 4) -> dict:
    """The POST body the create form sends for ``data`` (as built by the household_data fixture)."""
    post = {k: v for k, v in data.items() if k != "members"}
    members = data.get("members", [])
    for i in range(max(rows, len(members))):
        m = members[i] if i < len(members) else {}
        for key in ("name", "id_number", "relation", "phone"):
            post[f"m-{i}-{key}"] = m.get(key, "")
        post[f"m-{i}-disability_kind"] = m.get("disability_kind", "none")
        post[f"m-{i}-disability_grade"] = str(m.get("disability_grade", 0))
        post[f"m-{i}-health"] = m.get("health", "healthy")
        post[f"m-{i}-employment"] = ""
        if m.get("co_resident", True):
            post[f"m-{i}-co_resident"] = "on"
    return post


def field_error(html: str, name: str) -> str | None:
    """The error message rendered next to field ``name`` (e.g. ``m-1-id_number``), or None."""
    m = re.search(rf'<p class="field-error" id="err-{re.escape(name)}"[^>]*>(.*?)</p>', html, re.S)
    return unescape(m.group(1)) if m else None


def field_block(html: str, name: str) -> str:
    """The HTML from field ``name``'s input to the end of its error (input and error are adjacent)."""
    start = html.index(f'name="{name}"')
    end = html.index("</div>", start)
    return html[start:end]
