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
    @click.option("--history-months", type=click.IntRange(0, 60), default=None,
                  help="Months of past visits before the demo weeks (default 6; 0 for none).")
    def seed_demo_command(history_months: int | None) -> None:
        """Fill an empty database with a demo clinic and print its logins (idempotent)."""
        from app.demo import format_logins, seed_demo
        from app.errors import DomainError

        try:
            result = seed_demo() if history_months is None else seed_demo(history_months=history_months)
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
