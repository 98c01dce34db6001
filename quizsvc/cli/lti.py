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


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "never"


@lti_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """List registered platforms: deployments, last launch, passbacks by status."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        rows = registry.overview(db.session)
    if as_json:
        click.echo(json.dumps({"platforms": rows}, indent=2))
        return
    if not rows:
        click.echo("no platforms registered: make a Dynamic Registration URL with "
                   "`quizsvc lti registration-url`, or see `quizsvc lti register-platform --help`")
        return
    deps = {p["id"]: ", ".join(p["deployment_ids"]) or "(none)" for p in rows}
    if len(max(deps.values(), key=len)) > 30:
        deps = {k: v if len(v) <= 30 else v[:27] + "..." for k, v in deps.items()}
    width = max(len(p["issuer"]) for p in rows)
    dwidth = max(11, *(len(v) for v in deps.values()))
    click.echo(f"{'id':>3}  {'issuer':<{width}}  {'client id':<20}  {'deployments':<{dwidth}}  "
               f"{'last launch':<16}  passbacks")
    for p in rows:
        passbacks = ", ".join(f"{k} {v}" for k, v in sorted(p["passbacks"].items())) or "none"
        click.echo(f"{p['id']:>3}  {p['issuer']:<{width}}  {p['client_id'][:20]:<20}  "
                   f"{deps[p['id']]:<{dwidth}}  {_when(p['last_launch_at']):<16}  {passbacks}")


@lti_group.command("show")
@click.argument("platform_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show_cmd(platform_id: int, as_json: bool) -> None:
    """Show one platform: endpoints, deployments with their last launch, passback state."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        try:
            registry.get_platform(db.session, platform_id)
        except QuizError as exc:
            _fail(exc)
        (p,) = registry.overview(db.session, platform_id)
    if as_json:
        click.echo(json.dumps(p, indent=2))
        return
    for label, key in (("name", "name"), ("issuer", "issuer"), ("client id", "client_id"),
                       ("login URL", "auth_login_url"), ("token URL", "auth_token_url"),
                       ("key set", "jwks_url"), ("registered", "registered_by")):
        click.echo(f"{label + ':':<24}{p[key] or '-'}")
    click.echo(f"{'new deployments:':<24}"
               + ("accepted on first launch" if p["auto_accept_deployments"] else "refused"))
    click.echo(f"{'passbacks:':<24}"
               + (", ".join(f"{k} {v}" for k, v in sorted(p["passbacks"].items())) or "none")
               + f"; last sent {_when(p['last_passback_sent_at'])}")
    if p["last_passback_error"]:
        click.echo(f"{'last failure:':<24}{p['last_passback_error'][:200]}")
    click.echo("deployments:")
    for d in p["deployments"]:
        click.echo(f"  {d['deployment_id']:<30} {d['source']:<13} last launch "
                   f"{_when(d['last_launch_at'])}")
    if not p["deployments"]:
        click.echo("  (none)")


@lti_group.command("remove")
@click.argument("platform_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_cmd(platform_id: int, yes: bool) -> None:
    """Remove a platform registration with its deployments, links and passbacks."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        try:
            platform = registry.get_platform(db.session, platform_id)
        except QuizError as exc:
            _fail(exc)
        if not yes:
            click.confirm(f"Remove {platform.issuer} (client {platform.client_id}), its links "
                          "and queued passbacks?", abort=True)
        registry.remove_platform(db.session, platform)
        db.session.commit()
    click.echo(f"removed platform {platform_id}")


@lti_group.command("set-platform")
@click.argument("platform_id", type=int)
@click.option("--auto-accept-deployments/--no-auto-accept-deployments", default=None,
              help="Accept (and remember) launches from this platform's new deployment ids.")
@click.option("--name", default=None, help="A new label for people.")
def set_platform_cmd(platform_id: int, auto_accept_deployments: bool | None,
                     name: str | None) -> None:
    """Change a platform's settings (recorded in the audit log)."""
    from quizsvc.extensions import db
    from quizsvc.lti import registry

    with _app().app_context():
        try:
            platform = registry.get_platform(db.session, platform_id)
        except QuizError as exc:
            _fail(exc)
        if auto_accept_deployments is not None:
            registry.set_auto_accept(db.session, platform, auto_accept_deployments)
        if name:
            platform.name = name[:200]
        db.session.commit()
        click.echo(f"platform {platform_id}: new deployments "
                   + ("accepted on first launch" if platform.auto_accept_deployments else "refused"))


@lti_group.command("registration-url")
@click.option("--base-url", default=None,
              help="quizsvc's public origin, e.g. https://quiz.example.edu "
                   "(default: QUIZSVC_LTI_TOOL_URL).")
@click.option("--note", default="", help="What it is for, e.g. the LMS it goes to.")
@click.option("--hours", type=float, default=72.0, show_default=True,
              help="How long the URL can be used.")
def registration_url_cmd(base_url: str | None, note: str, hours: float) -> None:
    """Print a one-time LTI Dynamic Registration URL to paste into an LMS."""
    from quizsvc.extensions import db
    from quizsvc.lti import dynreg, runtime

    app = _app()
    base = base_url or runtime.runtime(app).settings["TOOL_URL"]
    if not base:
        click.echo("error: give --base-url (quizsvc's public https origin) or set "
                   "QUIZSVC_LTI_TOOL_URL", err=True)
        sys.exit(2)
    with app.app_context():
        try:
            row, text = dynreg.issue_token(db.session, note=note, ttl_hours=hours)
            db.session.commit()
        except QuizError as exc:
            _fail(exc)
        click.echo(dynreg.registration_url(base, text))
        click.echo(f"usable once, until {row.expires_at:%Y-%m-%d %H:%M} UTC: paste it into the "
                   "LMS's LTI registration page (Canvas: Developer Keys > + LTI Registration; "
                   "Moodle: Site administration > Plugins > Manage tools)", err=True)


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
