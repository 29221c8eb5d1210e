"""`doorstroom migrate`: bring services' databases to the schema of this release.

A service's DATABASE_URL (as it runs in production and in docker-compose.yml) names one
database; without it, the local chain's databases are meant, as `doorstroom up` makes them.
"""
import json
import os
import tempfile
from pathlib import Path

from sqlalchemy import make_url

from doorstroom import chain, up
from shared import migrations


def databases(args):
    """The database of each service named (all by default), as {service: url}."""
    services = args.services or list(chain.SERVICES)
    url = args.database_url or os.environ.get("DATABASE_URL")
    if url:
        if len(services) != 1:
            raise SystemExit("a DATABASE_URL is one service's database: name that one service")
        return {services[0]: url}
    if args.postgres:
        every = up.postgres_databases(args.postgres, args.database_prefix)
    else:
        every = up.sqlite_databases(chain.data_dir(args.data_dir))
    return {service: every[service] for service in services}


def check(urls, as_json=False):
    """Where each database stands; 1 when any is not at this release's revision."""
    found = {}
    for service, url in urls.items():
        engine = migrations.migration_engine(url)
        try:
            migrations.require_current(service, engine)
            found[service] = {"current": True, "revision": migrations.current_revision(engine)}
        except migrations.SchemaMismatch as mismatch:
            found[service] = {"current": False, "problem": str(mismatch)}
        finally:
            engine.dispose()
    if as_json:
        print(json.dumps(found, indent=2))
    else:
        for service, where in found.items():
            print(f"{service}: {where['revision']} (current)" if where["current"] else
                  f"{service}: {where['problem']}")
    return 0 if all(where["current"] for where in found.values()) else 1


def new_revision(service, message):
    with tempfile.TemporaryDirectory() as scratch:
        path = migrations.new_revision(service, message, f"sqlite:///{Path(scratch) / 'head.db'}")
    print(f"wrote {path.path}; read it, and say in it why")


def run(args):
    if args.new:
        if len(args.services) != 1:
            raise SystemExit("--new writes one service's next revision: name that service")
        return new_revision(args.services[0], args.new)
    urls = databases(args)
    if args.check:
        return check(urls, args.json)
    if args.json:
        print(json.dumps(up.migrate_databases(urls, out=None), indent=2))
        return 0
    shown = {service: make_url(url).render_as_string() for service, url in urls.items()}
    print("migrating " + ", ".join(f"{service} ({where})" for service, where in shown.items()))
    up.migrate_databases(urls)
    return 0
