"""Where the reader of a staff screen is: the zone instants are shown in when the screen has
no row context of its own (model lists, the import list, the sign-in locks). One rule for
every screen: the reader's first location, else the clinic's first location, else UTC."""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import Location, TeamMember
from app.models.team import team_member_location
from app.security.scopes import current_user


def reader_zone() -> str:
    user_id = getattr(current_user(), "id", None)
    kept = g.get("plinth_reader_zone")
    if kept is not None and kept[0] == user_id:  # once per request (and per reader: g may outlive one)
        return kept[1]
    mine = (select(Location.timezone).join(team_member_location, team_member_location.c.location_id == Location.id)
            .join(TeamMember, TeamMember.id == team_member_location.c.team_member_id)
            .where(TeamMember.user_id == user_id).order_by(Location.id).limit(1))
    zone = (user_id is not None and db.session.scalar(mine)) or db.session.scalar(
        select(Location.timezone).order_by(Location.id).limit(1))
    g.plinth_reader_zone = (user_id, zone or "UTC")
    return g.plinth_reader_zone[1]
