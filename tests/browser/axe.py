"""axe-core (vendored from npm under tests/browser/vendor/axe-core) run inside the page.

``violations(page)`` checks the page as it is now against WCAG 2.1 A and AA and returns
one line per violated rule (rule, impact, how many elements, the first element), so an
assertion failure says what to fix.
"""
from __future__ import annotations

from pathlib import Path

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page, *, impacts: tuple[str, ...] = ("minor", "moderate", "serious", "critical")) -> list[str]:
    # evaluate() runs outside the page's CSP, which would refuse an injected <script>.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE + "\n;0")
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => [v.id, v.impact, v.nodes.length, v.nodes[0].target.join(' ')]);
        }""", WCAG21_AA)
    return [f"{rule} ({impact}) ×{count}: {target}" for rule, impact, count, target in found if impact in impacts]
