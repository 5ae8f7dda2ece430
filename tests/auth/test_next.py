"""Login's `next` never leads off this site, whatever it holds (property-based)."""
from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings, strategies as st

from app.auth.views import safe_next

PIECES = st.sampled_from(["/", "//", "\\", "http:", "https:", "javascript:", "evil.example", "localhost", "@",
                          ":80", "?next=", "#", "%2f", "\t", "\n", " ", ".", "a", "calendar"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=8).map("".join)))
def test_next_is_a_path_on_this_site_or_the_fallback(app, raw):
    with app.test_request_context("/login/", base_url="http://localhost"):
        target = safe_next(raw, "/fallback")
    parts = urlsplit(target)
    assert target == "/fallback" or (
        target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
        and "\\" not in parts.path)
