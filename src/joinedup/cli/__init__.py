"""The `joinedup` command (DESIGN section 3). Thin: parses arguments, then calls
services. Every command exits non-zero with a one-line reason on bad input."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.cli.common import CommandError, django_setup, migrate
from joinedup.cli.matching import cmd_link, link_arguments

if TYPE_CHECKING:
    from joinedup.interop.services import Tally

DEMO_PASSWORD = "joinedup-demo-2026"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _port(value: str) -> int:
    number = _positive(value)
    if number > 65535:
        raise argparse.ArgumentTypeError("a port is between 1 and 65535")
    return number


# --- commands ---------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> None:
    from rich.progress import Progress

    from joinedup.synth.generator import area_generate
    from joinedup.synth.writers import extracts_write

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out: {out} exists and is not a folder")
    area = area_generate(people=args.people, seed=args.seed)
    with Progress(transient=True) as progress:
        task = progress.add_task("Writing extracts", total=args.people)
        counts = extracts_write(
            area=area, out_dir=out, progress=lambda n: progress.update(task, advance=n)
        )
    for name, count in sorted(counts.items()):
        print(f"{name}: {count:,}")
    print(f"Wrote the synthetic area of {args.people:,} people to {out}")


def _load_area(people: int, seed: int) -> None:
    from django.utils import timezone
    from rich.progress import Progress

    from joinedup.synth.generator import area_generate
    from joinedup.synth.load import area_load

    # The demo's history ends today, so "this week's admissions" are this week's.
    area = area_generate(people=people, seed=seed, end=timezone.localdate())
    with Progress(transient=True) as progress:
        task = progress.add_task("Loading the synthetic area", total=people)
        stats = area_load(
            area=area, progress=lambda n: progress.update(task, advance=n)
        )
    print(
        f"Loaded {stats.people:,} people, {stats.events:,} events and "
        f"{stats.identifiers:,} identifiers from {stats.systems} source systems."
    )


def _tally_print(tally: Tally) -> None:
    by_source: dict[str, list[int]] = {}
    for (source, _day), row in tally.counts.items():
        totals = by_source.setdefault(source, [0, 0, 0, 0])
        for i, n in enumerate(row):
            totals[i] += n
    for source, (received, applied, duplicate, quarantined) in sorted(
        by_source.items()
    ):
        print(
            f"{source}: received {received:,}, applied {applied:,}, "
            f"duplicate {duplicate:,}, quarantined {quarantined:,}"
        )


def _ingest_area(people: int, seed: int) -> None:
    """The demo area through the real pipeline: generate the source systems'
    extracts into var/extracts, then ingest them (HL7 v2, FHIR, CSV)."""
    import time

    from django.conf import settings
    from django.utils import timezone

    from joinedup.interop.paths import paths_ingest
    from joinedup.synth.generator import area_generate
    from joinedup.synth.load import organisations_and_systems_load
    from joinedup.synth.writers import extracts_write

    started = time.monotonic()
    # The demo's history ends today, so "this week's admissions" are this week's.
    area = area_generate(people=people, seed=seed, end=timezone.localdate())
    out = Path(settings.DATA_DIR) / "extracts"
    print(f"Writing the source systems' extracts of {people:,} people to {out}")
    extracts_write(area=area, out_dir=out)
    organisations_and_systems_load(area=area)
    from joinedup.synth.matching import model_train_for_area

    print("Training the identity matching model on the area")
    model_train_for_area(area=area)
    print("Ingesting them through the HL7 v2, FHIR and CSV adapters")
    tally = paths_ingest([out], progress=lambda path: print(f"  {path}"))
    _tally_print(tally)
    _reference_load(out)
    from joinedup.synth.demo_discharge import discharge_histories_seed

    # Readiness, pathways and delays for some stays, so the ward board and the
    # delay charts have something to show.
    discharge_histories_seed(seed=seed)
    print(f"Done in {time.monotonic() - started:.0f} s.")


def cmd_ingest(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.errors import DomainError
    from joinedup.interop.paths import paths_ingest

    try:
        tally = paths_ingest(
            [Path(p) for p in args.paths],
            source=args.source,
            progress=lambda path: print(f"Ingesting {path}"),
        )
    except DomainError as exc:
        raise CommandError(exc.detail) from None
    # Hospital stays and identity matching followed each batch as it was
    # committed (the ingest follow-up): nothing is rebuilt wholesale here.
    _tally_print(tally)
    if tally.quarantined:
        print(
            f"{tally.quarantined:,} quarantined: see /integration/quarantine/ "
            "for the reasons"
        )


def cmd_mllp(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    import logging

    from joinedup.interop.hl7v2.mllp import mllp_serve

    logging.getLogger("joinedup").setLevel(logging.INFO)
    print(
        f"MLLP listener on {args.host}:{args.port}, ACK once {args.ack} "
        "(Ctrl+C or SIGTERM stops it)"
    )
    sys.stdout.flush()
    try:
        # Hospital stays (the ward board, the sitrep) follow every batch of ADT
        # in the commit that applies it (the ingest follow-up).
        mllp_serve(host=args.host, port=args.port, ack=args.ack, separate_process=True)
    except ValueError as exc:  # JOINEDUP_MLLP_ACK set to something else
        raise CommandError(f"JOINEDUP_MLLP_ACK: {exc}") from None
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {exc}") from None


def cmd_load(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.people.models import Person

    if Person.objects.exists():
        raise CommandError(
            "the database already holds people; load into an empty database"
        )
    _load_area(args.people, args.seed)


def cmd_demo(args: argparse.Namespace) -> None:
    # The demo signs in without an authenticator app; production requires one.
    os.environ.setdefault("JOINEDUP_REQUIRE_2FA", "0")
    # A person's one-time sign-in code for /me/ is shown on this console.
    os.environ.setdefault(
        "JOINEDUP_PORTAL_CODE_SENDER", "joinedup.portal.auth.senders.ConsoleCodeSender"
    )
    django_setup()
    migrate()
    from joinedup.people.models import Person
    from joinedup.synth.demo import demo_users_create

    if Person.objects.exists():
        print("The demo area is already loaded; serving it again.")
    else:
        _ingest_area(args.people, args.seed)
    accounts = demo_users_create(password=DEMO_PASSWORD)
    from joinedup.synth.demo import demo_population_refresh

    print(demo_population_refresh())
    print()
    print("Demo accounts (username: role, organisation):")
    for username, role_label, org_name in accounts:
        print(f"  {username:<22} {role_label}, {org_name}")
    print(f"Password for every demo account: {DEMO_PASSWORD}")
    from joinedup.synth.demo import demo_portal_person

    portal = demo_portal_person()
    if portal is not None:
        number, born, email = portal
        print(
            f"A person's own view, /me/: NHS number {number}, born "
            f"{born:%d/%m/%Y}, email {email}; the one-time code appears here."
        )
    print()
    _serve(host=args.host, port=args.port, workers=args.workers)


def cmd_serve(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    _serve(host=args.host, port=args.port, workers=args.workers)


def _serve(*, host: str, port: int, workers: int) -> None:
    from joinedup.web.server import serve

    print(f"JoinedUp is running at http://{host}:{port}/ (Ctrl+C stops it)")
    sys.stdout.flush()
    serve(host=host, port=port, workers=workers)


def cmd_user_create(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.errors import DomainError
    from joinedup.governance.services import user_create

    try:
        _, password = user_create(
            username=args.name,
            role=args.role,
            org_code=args.org,
            password=args.password,
            first_name=args.first_name,
            last_name=args.last_name,
            email=args.email,
        )
    except DomainError as exc:
        raise CommandError(exc.detail) from None
    print(f"Created {args.name} ({args.role} at {args.org}).")
    if not args.password:
        print(f"Password (shown once): {password}")


def cmd_token_create(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.errors import DomainError
    from joinedup.governance.services import token_create

    try:
        token = token_create(username=args.name, name=args.label)
    except DomainError as exc:
        raise CommandError(exc.detail) from None
    print(f"API token for {args.name} (shown once; keep it secret):")
    print(token)


def cmd_audit_verify(args: argparse.Namespace) -> None:
    django_setup()
    from joinedup.governance.selectors import audit_chain_verify

    result = audit_chain_verify()
    if not result.ok:
        raise CommandError(
            f"the audit chain is broken at entry #{result.first_bad_seq}: "
            f"{result.problem} ({result.checked:,} entries before it are intact)"
        )
    print(f"The audit chain is intact: {result.checked:,} entries checked.")


def cmd_migrate(args: argparse.Namespace) -> None:
    django_setup()
    migrate(quiet=False)


def cmd_mesh_send(args: argparse.Namespace) -> None:
    django_setup()
    from joinedup.discharge.mesh import mesh_config_from_env, outbox_process
    from joinedup.errors import InvalidInput

    try:
        config = mesh_config_from_env()
    except InvalidInput as exc:
        raise CommandError(exc.detail) from None
    tally = outbox_process(config=config, retry_failed=args.retry_failed)
    if tally.requeued:
        print(f"{tally.requeued} failed notice(s) queued again.")
    print(f"Schedule 3 notices over MESH: {tally.line()}.")


def cmd_population_refresh(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.cli.population import refresh_with_progress
    from joinedup.population.services import RefreshError

    try:
        refresh = refresh_with_progress()
    except RefreshError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"Population refresh {refresh.pk} complete in {refresh.seconds:.0f} s: "
        f"{refresh.message}."
    )


def cmd_reference_postcodes(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.errors import DomainError
    from joinedup.people.areas import person_areas_apply, postcode_areas_load

    try:
        tally = postcode_areas_load(path=Path(args.file))
    except DomainError as exc:
        raise CommandError(exc.detail) from None
    people = person_areas_apply()
    print(f"{tally.line()}; areas of {people:,} people updated.")


def cmd_reference_opt_outs(args: argparse.Namespace) -> None:
    django_setup()
    migrate()
    from joinedup.errors import DomainError
    from joinedup.people.areas import opt_outs_apply

    try:
        tally = opt_outs_apply(path=Path(args.file))
    except DomainError as exc:
        raise CommandError(exc.detail) from None
    print(f"National data opt-outs: {tally.line()}.")


def _reference_load(folder: Path) -> None:
    """The demo's reference data (written by `joinedup generate`): postcode ->
    LSOA -> IMD decile, then the national data opt-outs."""
    from joinedup.people.areas import (
        opt_outs_apply,
        person_areas_apply,
        postcode_areas_load,
    )
    from joinedup.synth.writers_reference import OPT_OUTS, POSTCODE_AREAS

    areas = postcode_areas_load(path=folder / POSTCODE_AREAS)
    people = person_areas_apply()
    print(f"Reference data: {areas.line()}; areas of {people:,} people set")
    opt_outs = opt_outs_apply(path=folder / OPT_OUTS)
    print(f"National data opt-outs: {opt_outs.line()}")


def cmd_check(args: argparse.Namespace) -> None:
    django_setup()
    from joinedup.web.checks import deployment_problems

    problems = deployment_problems(deploy=args.deploy)
    for problem in problems:
        print(f"- {problem}")
    if problems:
        raise CommandError(f"{len(problems)} problem(s) found")
    print("No problems found.")


def cmd_manage(args: argparse.Namespace) -> None:
    django_setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["joinedup manage", *args.rest])


# --- parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="joinedup",
        description="JoinedUp: joint working between health and social care.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, handler: Callable[[argparse.Namespace], None], help_text: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def serving(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=_port, default=8000)
        p.add_argument("--workers", type=_positive, default=2)

    p = add("demo", cmd_demo, "load a synthetic area into the database, then serve it")
    p.add_argument("--people", type=_positive, default=2000)
    p.add_argument("--seed", type=int, default=20261127)
    serving(p)

    p = add("serve", cmd_serve, "serve the web pages, the REST API and the FHIR API")
    serving(p)

    p = add(
        "generate", cmd_generate, "write synthetic source extracts (HL7, FHIR, CSV)"
    )
    p.add_argument("--people", type=_positive, required=True)
    p.add_argument("--out", required=True, help="folder to write into")
    p.add_argument("--seed", type=int, default=20261127)

    p = add("ingest", cmd_ingest, "ingest HL7 v2 files, FHIR bundles and CSV extracts")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--source", help="source system of CSV extracts, e.g. council-sc")

    p = add("mllp", cmd_mllp, "listen for HL7 v2 messages over MLLP")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=2575)
    p.add_argument(
        "--ack",
        choices=["stored", "applied"],
        default=os.environ.get("JOINEDUP_MLLP_ACK", "stored"),
        help="answer AA once a message is checked and stored (default; applied "
        "right after), or only once it is applied (JOINEDUP_MLLP_ACK)",
    )

    p = add("link", cmd_link, "identity matching: train a model, link CSV files")
    link_arguments(p)

    p = add("load", cmd_load, "load a synthetic area straight into an empty database")
    p.add_argument("--people", type=_positive, default=2000)
    p.add_argument("--seed", type=int, default=20261127)

    p = add("user", lambda a: None, "manage accounts")
    user_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    u = user_sub.add_parser("create", help="create a professional's account")
    u.set_defaults(handler=cmd_user_create)
    u.add_argument("name", help="username")
    u.add_argument("--role", required=True)
    u.add_argument("--org", required=True, help="organisation code (ODS)")
    u.add_argument("--password", help="default: a generated one, printed once")
    u.add_argument("--first-name", default="")
    u.add_argument("--last-name", default="")
    u.add_argument("--email", default="")

    p = add("token", lambda a: None, "manage API tokens")
    token_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = token_sub.add_parser("create", help="create an API bearer token for a user")
    t.set_defaults(handler=cmd_token_create)
    t.add_argument("name", help="username")
    t.add_argument("--label", default="default", help="what the token is for")

    p = add("audit", lambda a: None, "the audit of access to person data")
    audit_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = audit_sub.add_parser("verify", help="check the audit's hash chain")
    a.set_defaults(handler=cmd_audit_verify)

    add("migrate", cmd_migrate, "create or update the database tables")

    p = add("population", lambda a: None, "population health: risk, levels, JSNA")
    pop_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = pop_sub.add_parser(
        "refresh", help="compute risk scores, levels of care and JSNA figures"
    )
    r.set_defaults(handler=cmd_population_refresh)

    p = add("mesh", lambda a: None, "deliver Care Act notices over MESH")
    mesh_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    m = mesh_sub.add_parser("send", help="send queued notices, then track sent ones")
    m.set_defaults(handler=cmd_mesh_send)
    m.add_argument(
        "--retry-failed", action="store_true", help="queue failed notices again first"
    )

    p = add("reference", lambda a: None, "load reference data: areas, opt-outs")
    ref_sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    rp = ref_sub.add_parser(
        "postcodes",
        help="load postcode -> LSOA -> IMD decile (CSV: postcode, lsoa, imd_decile)",
    )
    rp.set_defaults(handler=cmd_reference_postcodes)
    rp.add_argument("file", metavar="FILE")
    ro = ref_sub.add_parser(
        "opt-outs",
        help="apply the full list of NHS numbers with a national data opt-out",
    )
    ro.set_defaults(handler=cmd_reference_opt_outs)
    ro.add_argument("file", metavar="FILE")

    p = add("check", cmd_check, "deployment and configuration checks")
    p.add_argument("--deploy", action="store_true", help="production checks too")

    p = add("manage", cmd_manage, "run a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except CommandError as exc:
        print(f"joinedup {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
