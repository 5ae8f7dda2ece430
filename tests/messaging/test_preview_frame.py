"""A template's rendered HTML is shown only inside the sandboxed preview frame, never in
the staff page itself (a rendered body is Markup, which escape() alone lets through)."""
from __future__ import annotations

from markupsafe import Markup

from app.views.messages import _html_preview


def test_rendered_html_goes_into_the_frame_escaped():
    frame = str(_html_preview(None, Markup('<p onclick="steal()">Hi &amp; bye</p><script>x()</script>')))
    assert frame.startswith('<iframe sandbox=""') and frame.endswith("></iframe>")
    inside = frame[frame.index('srcdoc="') + 8:frame.rindex('"')]
    assert "<" not in inside and '"' not in inside
    assert "&lt;script&gt;" in inside and "&amp;amp;" in inside
    assert 'title="The email as the client sees it"' in frame  # a named frame (axe frame-title)
