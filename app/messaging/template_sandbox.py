"""Jinja's sandbox with limits, for templates managers write: no attribute that reaches
Python internals, no imports, no file access, and bounded size, loops, ranges, output
and time, so a template can take neither the worker's memory nor its time.
"""
from __future__ import annotations

import re
import time
from contextvars import ContextVar
from functools import lru_cache, update_wrapper

from flask import current_app, has_app_context
from jinja2 import StrictUndefined, TemplateError, TemplateRuntimeError, Undefined, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

# --- limits: a manager's template may not take the worker's memory or time ------------
_DEFAULT_LIMITS = {"PLINTH_TEMPLATE_MAX_CHARS": 20000, "PLINTH_TEMPLATE_MAX_RANGE": 1000,
                   "PLINTH_TEMPLATE_RENDER_MS": 1000}
_LOOP_ITEMS = 100_000  # loop iterations per render, all loops together
_deadline: ContextVar[tuple[float, list[int]] | None] = ContextVar("plinth_template_deadline", default=None)


def _limit(name: str) -> int:
    return current_app.config[name] if has_app_context() else _DEFAULT_LIMITS[name]


def _max_output() -> int:
    return 10 * _limit("PLINTH_TEMPLATE_MAX_CHARS")


def _tick(steps: int = 1) -> None:
    budget = _deadline.get()
    if budget is None:
        return
    budget[1][0] += steps
    if budget[1][0] > _LOOP_ITEMS or time.monotonic() > budget[0]:
        raise SecurityError("the template takes too long to render (loops or calls without end?)")


def _range(*args: int) -> range:
    items = range(*args)
    if len(items) > _limit("PLINTH_TEMPLATE_MAX_RANGE"):
        raise SecurityError(f"range() of {len(items)} items; at most {_limit('PLINTH_TEMPLATE_MAX_RANGE')}")
    return items


def _guarded(items):
    for item in items:
        _tick()
        yield item


def _sizes_ok(*args) -> None:
    if any(isinstance(a, int) and not isinstance(a, bool) and abs(a) > _max_output() for a in args):
        raise SecurityError(f"a number above {_max_output()} where a width or count is expected")


_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{5,}|%[^%]*\.\d{5,}|\{[^{}]*:[^{}]*\d{5,}[^{}]*\}")


def _precheck(name: str, text, args) -> None:
    """What would be built before its size could be seen: wide formats, big replaces."""
    _sizes_ok(*args)
    if not isinstance(text, str):
        return
    if name in ("format", "format_map") and _WIDE_FORMAT.search(text):
        raise SecurityError("a format width too large")
    if name == "replace" and len(args) >= 2 and len(text) * max(len(str(args[1])), 1) > _max_output():
        raise SecurityError(f"a replacement beyond {_max_output()} characters")


class _LoopGuard(NodeTransformer):
    """Every {% for %} iterates through _guarded(), so all loops share one budget."""

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("_plinth_loop", "load"), [node.iter], [], None, None)
        return node


class _LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with limits on size, ranges, loops, repetition and render time."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **kw):
        super().__init__(**kw)
        self.globals.update(range=_range, _plinth_loop=_guarded)
        for name, func in list(self.filters.items()):
            self.filters[name] = self._checked_filter(name, func)

    @staticmethod
    def _checked_filter(name, func):
        skip = 2 if hasattr(func, "jinja_pass_arg") else 1  # (context,) value, then the arguments

        def checked(*args, **kwargs):
            _precheck(name, args[skip - 1] if len(args) >= skip else None, [*args[skip:], *kwargs.values()])
            return func(*args, **kwargs)
        return update_wrapper(checked, func)

    def _parse(self, source, name, filename):
        return _LoopGuard().visit(super()._parse(source, name, filename))

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                right * max(abs(left).bit_length(), 1) > 4096):
            raise SecurityError("a power too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > _max_output():
                    raise SecurityError(f"repeating text beyond {_max_output()} characters")
        if operator == "%":
            _precheck("format", left, ())
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        # "...".format / format_map: the text is checked before Jinja's safe formatter runs.
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _precheck("format", getattr(value, "__self__", None), ())
        return wrapped

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        _tick()
        _precheck(getattr(__obj, "__name__", ""), getattr(__obj, "__self__", None), [*args, *kwargs.values()])
        return super().call(__context, __obj, *args, **kwargs)


def _env(html: bool, strict: bool) -> SandboxedEnvironment:
    return _LimitedSandbox(autoescape=html, undefined=StrictUndefined if strict else Undefined,
                           keep_trailing_newline=False)


def _render_limited(source: str, html: bool, strict: bool, context: dict) -> str:
    """Render within the limits; SecurityError (a TemplateError) when one is passed."""
    if len(source) > _limit("PLINTH_TEMPLATE_MAX_CHARS"):
        raise SecurityError(f"the template has {len(source)} characters; at most {_limit('PLINTH_TEMPLATE_MAX_CHARS')}")
    token = _deadline.set((time.monotonic() + _limit("PLINTH_TEMPLATE_RENDER_MS") / 1000, [0]))
    try:
        parts, size = [], 0
        for chunk in _compiled(source, html, strict).generate(context):
            size += len(chunk)
            if size > _max_output():
                raise SecurityError(f"the message would be longer than {_max_output()} characters")
            _tick(0)
            parts.append(chunk)
        return "".join(parts)
    except RecursionError:
        raise SecurityError("the template calls itself without end") from None
    except TemplateError:
        raise
    except Exception as exc:  # {{ 1/0 }}, "{}".format(), ...: the template is wrong, not Plinth
        raise TemplateRuntimeError(f"{type(exc).__name__}: {exc}") from None
    finally:
        _deadline.reset(token)


_LENIENT = {True: _env(True, False), False: _env(False, False)}
_STRICT = {True: _env(True, True), False: _env(False, True)}


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool, strict: bool):
    # Compiling is most of a render's cost; a template's text changes rarely.
    return (_STRICT if strict else _LENIENT)[html].from_string(source)
