"""Command-line tasks: `flask sync-roles`, `flask seed-demo`, ..."""
from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    from app.importing.cli import register as register_import

    register_import(app)

    @app.cli.command("sync-roles")
    def sync_roles_command() -> None:
        """Create permissions and Plinth's roles (idempotent)."""
        from app.security import sync_roles

        sync_roles()
        click.echo("Roles and permissions are up to date.")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Fill an empty database with a demo clinic and print its logins (idempotent)."""
        from app.demo import format_logins, seed_demo
        from app.errors import DomainError

        try:
            result = seed_demo()
        except DomainError as exc:
            reasons = "".join(f"\n  - {problem.message}" for problem in exc.problems)
            raise click.ClickException(f"{exc.message}{reasons}") from exc
        if result.created:
            summary = ", ".join(f"{count} {what}" for what, count in result.counts.items())
            click.echo(f"Demo clinic created: {summary}.")
        else:
            click.echo("The demo clinic is already there; nothing was changed.")
        click.echo("\nDemo logins (for demonstration only, never for real clients):\n")
        click.echo(format_logins(result.logins))
