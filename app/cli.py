"""Command-line tasks: `flask sync-roles`, `flask seed-demo`, ..."""
from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("sync-roles")
    def sync_roles_command() -> None:
        """Create permissions and Plinth's roles (idempotent)."""
        from app.security import sync_roles

        sync_roles()
        click.echo("Roles and permissions are up to date.")
