"""``appconfig-flags import``: write a Python flag module from feature-flag documents or a deployed profile.

From files: ``appconfig-flags import --profile CheckoutFlags --document Beta=beta.json --document
Production=prod.json`` (one ``--document FILE`` without ``ENV=``: a profile without environments).
From AWS (boto3, read-only): ``appconfig-flags import --profile CheckoutFlags --application Orchard``
reads the version each environment serves; ``--environments Beta,Production`` picks them and
``--version Beta=3`` (or ``--version 3`` alone: one document) names hosted versions instead.
``--typed`` writes each attribute as a module constant with a ``Literal`` key and annotates each flag
with its keys, for typed reads (``client.value(FLAG, ATTRIBUTE)``). The module goes to ``--out FILE`` (an existing file only with ``--force``) or to standard output.
It renders each document exactly, or the command fails with one line per problem and its path.
Exit status: 0 written, 1 not (``error:`` lines), 2 bad options.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appconfig_flags.model import FlagValidationError

from . import LINE_LENGTH, import_documents
from .aws import AppConfigReader, ReadError


def _environment_value(text: str) -> tuple[str | None, str]:
    """``ENV=VALUE`` as (ENV, VALUE); ``VALUE`` alone as (None, VALUE)."""
    name, sep, value = text.partition("=")
    if not sep:
        return None, text
    if not name or not value:
        raise argparse.ArgumentTypeError(f"expected ENVIRONMENT=VALUE (got {text!r})")
    return name, value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(_parser=parser)
    parser.add_argument("--profile", required=True, help="the configuration profile's name, e.g. CheckoutFlags")
    parser.add_argument("--document", action="append", type=_environment_value, default=[], metavar="[ENV=]FILE",
                        help="a document file, per environment (repeatable); no AWS call")
    parser.add_argument("--application", help="the AppConfig application to read the profile from (with --document: "
                                              "the application the module's profile names)")
    parser.add_argument("--environments", help="comma-separated. Default: every environment that serves the profile")
    parser.add_argument("--version", action="append", type=_environment_value, default=[], metavar="[ENV=]N",
                        help="a hosted version number instead of the one served (repeatable)")
    parser.add_argument("--region", default=None, help="Default: the AWS configuration's region")
    parser.add_argument("--endpoint-url", default=None, help="another AppConfig endpoint (tests, a local fake)")
    parser.add_argument("--out", type=Path, help="the module to write. Default: standard output")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--line-length", type=int, default=LINE_LENGTH, help="Default: %(default)s")
    parser.add_argument("--typed", action="store_true",
                        help="attributes as module constants with Literal keys, flags annotated with their keys: "
                             "typed reads, and an undeclared attribute is a type error")


def run(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args._parser
    if args.document and args.version:
        parser.error("--document reads files: it does not go with --version")
    if not args.document and not args.application:
        parser.error("name the documents (--document ENV=FILE) or the application to read (--application NAME)")
    if args.out is not None and args.out.exists() and not args.force:
        print(f"error: {args.out} exists; pass --force to replace it", file=sys.stderr)
        return 1
    try:
        if args.document:
            documents: dict[str | None, bytes] = {}
            for environment, file in args.document:
                if environment in documents:
                    parser.error(f"two documents for {environment or 'the profile'}")
                documents[environment] = Path(file).read_bytes()
            source = "document files"
        else:
            versions: dict[str | None, int] = {}
            for environment, number in args.version:
                if not number.isdigit():
                    parser.error(f"argument --version: a version number is digits (got {number!r})")
                versions[environment] = int(number)
            if None in versions and len(versions) > 1:
                parser.error("--version N (one document) does not go with --version ENV=N")
            environments = [e.strip() for e in args.environments.split(",") if e.strip()] if args.environments else None
            reader = AppConfigReader(region=args.region, endpoint_url=args.endpoint_url)
            documents = reader.documents(args.application, args.profile, environments=environments, versions=versions)
            source = f"AWS AppConfig (application {args.application})"
        text = import_documents(args.profile, documents, line_length=args.line_length, source=source, typed=args.typed,
                                application=args.application)
    except (OSError, ReadError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except FlagValidationError as error:
        print(f"error: cannot import {args.profile}: {len(error.problems)} problem(s).", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {args.profile}, {', '.join(e or 'one document' for e in documents)}", file=sys.stderr)
    return 0

