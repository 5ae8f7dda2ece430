"""FAB admin screens, registered in the menu the way a clinic thinks of them."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    pass
