"""`quizsvc lti ...`: register platforms, list them, run the grade passback worker."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from quizsvc.errors import QuizError


def _app() -> Any:
    from quizsvc.app import create_app

    return create_app()


def _fail(exc: QuizError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for name, problem in exc.errors.items():
        click.echo(f"  {name}: {problem}", err=True)
    sys.exit(2)


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: platform registrations and grade passback."""


@lti_group.command("register-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://canvas.instructure.com.")
@click.option("--client-id", required=True, help="The client id the platform gave quizsvc.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorisation endpoint.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint.")
@click.option("--jwks-url", default=None, help="The platform's public key set URL.")
@click.option("--jwks-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A file with the platform's key set, if it has no JWKS URL.")
@click.option("--auth-audience", default=None, help="Our client assertion's aud, if not the token URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True,
              help="A deployment id to accept launches from (repeatable).")
@click.option("--name", default="", help="A label for people.")
def register_platform_cmd(jwks_file: Path | None, deployment_ids: tuple[str, ...],
                          **kwargs: Any) -> None:
    """Register an LMS (a platform) so that it can launch quizsvc."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        try:
            platform = registry.register_platform(
                db.session, jwks=jwks_file.read_text() if jwks_file else None,
                deployment_ids=list(deployment_ids), **kwargs)
            db.session.commit()
        except QuizError as exc:
            _fail(exc)
        click.echo(json.dumps(registry.describe(platform), indent=2))


@lti_group.command("add-deployment")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def add_deployment_cmd(platform_id: int, deployment_id: str) -> None:
    """Accept launches from DEPLOYMENT_ID of platform PLATFORM_ID."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        try:
            platform = registry.get_platform(db.session, platform_id)
            registry.add_deployment(db.session, platform, deployment_id)
            db.session.commit()
        except QuizError as exc:
            _fail(exc)
        click.echo(f"platform {platform_id} accepts deployments: "
                   + ", ".join(d.deployment_id for d in platform.deployments))


@lti_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """List registered platforms and the passbacks waiting or failed."""
    from sqlalchemy import func, select

    from quizsvc.extensions import db
    from quizsvc.lti import registry
    from quizsvc.store.lti import LtiGradeOutbox

    with _app().app_context():
        rows = [registry.describe(p) for p in registry.list_platforms(db.session)]
        counts = dict(db.session.execute(select(LtiGradeOutbox.status, func.count())
                                         .group_by(LtiGradeOutbox.status)).all())
    if as_json:
        click.echo(json.dumps({"platforms": rows, "passbacks": counts}, indent=2))
        return
    for p in rows:
        click.echo(f"{p['id']:>3}  {p['issuer']}  client {p['client_id']}  "
                   f"deployments {', '.join(p['deployment_ids']) or '(none)'}")
    if not rows:
        click.echo("no platforms registered: see `quizsvc lti register-platform --help`")
    click.echo("passbacks: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))


@lti_group.command("tool-urls")
@click.argument("base_url")
def tool_urls_cmd(base_url: str) -> None:
    """Print the URLs to enter in the LMS for quizsvc served at BASE_URL."""
    from quizsvc.lti import claims

    base = base_url.rstrip("/")
    click.echo(f"OIDC login initiation URL: {base}/lti/login")
    click.echo(f"Redirect / target link URI: {base}/lti/launch")
    click.echo(f"Deep linking URL:           {base}/lti/launch")
    click.echo(f"Public JWK set URL:         {base}/lti/jwks")
    click.echo("AGS scopes:                 " + " ".join(claims.TOOL_SCOPES))


@lti_group.command("passback")
@click.option("--retry-failed", is_flag=True, help="First put every failed passback back in the queue.")
@click.option("--loop", is_flag=True, help="Keep running (a worker), sending due passbacks.")
@click.option("--interval", type=float, default=15.0, show_default=True,
              help="Seconds between passes with --loop.")
def passback_cmd(retry_failed: bool, loop: bool, interval: float) -> None:
    """Send the due grade passbacks once, or keep sending them with --loop."""
    from quizsvc.extensions import db
    from quizsvc.lti import outbox, runtime

    app = _app()
    with app.app_context():
        rt = runtime.runtime(app)
        if retry_failed:
            with db.sessionmaker() as session:
                n = outbox.retry(session)
                session.commit()
            click.echo(f"requeued {n} failed passback(s)")
        while True:
            report = outbox.deliver(db.sessionmaker, http=rt.http, tokens=rt.tokens,
                                    policy=runtime.retry_policy(rt),
                                    timeout=rt.settings["HTTP_TIMEOUT"])
            if report.sent or report.retried or report.failed or report.superseded or not loop:
                click.echo(f"sent {report.sent}, to retry {report.retried}, "
                           f"failed {report.failed}, superseded {report.superseded}")
            if not loop:
                break
            time.sleep(interval)


@lti_group.command("rotate-key")
def rotate_key_cmd() -> None:
    """Create a new tool signing key (older keys stay in the JWKS)."""
    from quizsvc.extensions import db
    from quizsvc.lti import keys

    with _app().app_context():
        row = keys.rotate(db.session)
        db.session.commit()
        click.echo(f"new signing key {row.kid}")
