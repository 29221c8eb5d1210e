"""`doorstroom up`: the whole chain on this machine, each service its own process."""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests
from kombu import Connection
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from doorstroom import chain, provisioning
from doorstroom.keys import binding
from services.intake.vault import create_key_file as create_identity_key_file
from shared.consumer import broker_account
from shared import migrations
from shared.http import ROLES
from shared.sealing import create_key_file
from shared.web.people import SECOND_FACTOR_ROLES, new_password_hash, new_totp_secret

HEALTH_TIMEOUT_SECONDS = 60
# Where rabbitmqctl, which manages the node on this machine, manages the broker at AMQP_URI.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def broker_problem(uri):
    """None when a broker answers at `uri`, otherwise what is wrong and how to get one."""
    try:
        with Connection(uri, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # any failure means: no usable broker here
        return (f"No RabbitMQ broker answers at {_without_password(uri)} ({exc}).\n"
                "Start one (`rabbitmq-server -detached`, or `docker compose up -d rabbitmq`), "
                "or point AMQP_URI at one.")
    return None


def _without_password(uri):
    scheme, _, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}:***@{host}" if at else uri


def api_keys(directory):
    """Local API keys, one holder per role named after it: kept in DIR/api-keys.json so the
    demo and you can use them."""
    path = directory / "api-keys.json"
    holders = json.loads(path.read_text()) if path.exists() else {}
    missing = [role for role in ROLES if role not in holders]
    if missing:
        holders.update({role: {"role": role, "key": secrets.token_urlsafe(24),
                               **chain.local_organisation(role)} for role in missing})
        path.write_text(json.dumps(holders, indent=2) + "\n")
        path.chmod(0o600)
    return holders


# The services that serve pages, and the roles their pages are for.
PAGES = {"intake": ("pi-case-manager", "pi-privacy-officer"), "training": ("trainer",),
         "matching": ("employer-desk", "employer"), "placement": ("job-coach",),
         "notifications": tuple(ROLES)}


def local_people(directory, holders):
    """A person's account beside each local key, to sign in to the pages with: its password
    kept in the local keys file as its key is, and a TOTP secret where the role needs a second
    factor (shared/web/people.py)."""
    path = directory / "api-keys.json"
    missing = [name for name, holder in holders.items() if "password_argon2" not in holder]
    for name in missing:
        password = secrets.token_urlsafe(12)
        holders[name].update(password=password, password_argon2=new_password_hash(password),
                             **({"totp_secret": new_totp_secret()}
                                if holders[name]["role"] in SECOND_FACTOR_ROLES else {}))
    if missing:
        path.write_text(json.dumps(holders, indent=2) + "\n")
    return holders


def sign_in_lines(holders, ports):
    """What `up` says of the pages: where each organisation signs in, and as whom."""
    lines = [f"{service:<16} http://127.0.0.1:{ports[service]}/signin"
             for service in PAGES if service in ports]
    lines += [f"{name:<24} password {holder['password']}"
              + (f"  TOTP secret {holder['totp_secret']}" if "totp_secret" in holder else "")
              for name, holder in holders.items()
              if "password" in holder and any(holder["role"] in roles
                                              for roles in PAGES.values())]
    return lines


def key_lines(holders):
    """What `up` says of the local keys: each key the file holds (of one `doorstroom keys add`
    issued, it holds only the hash), with the organisation it speaks for; and how the employer
    key comes to speak for an employer, as none exists when the chain first starts."""
    lines = [f"{name:<24} {holder['key']}"
             + (f"  ({binding(holder)})" if binding(holder) else "")
             for name, holder in holders.items() if "key" in holder]
    employer = holders.get("employer")
    if employer and employer["role"] == "employer" and not binding(employer):
        lines.append("the employer key speaks for no employer yet: `doorstroom demo` binds it "
                     "to the first employer it registers; or issue one with `doorstroom keys "
                     "add NAME --role employer --employer ID`")
    return lines


# The key file that seals data in a service's database: the setting that names it, its name in
# the data dir, and what creates one.
KEY_FILES = {
    "intake": ("IDENTITY_KEYS_FILE", "intake-identity-keys.json", create_identity_key_file),
    "notifications": ("WEBHOOK_SECRET_KEYS_FILE", "notifications-webhook-keys.json",
                      create_key_file),
}


def key_files(service, directory):
    """The service's key file setting, the file in `directory`: made once, then kept."""
    if service not in KEY_FILES:
        return {}
    setting, name, create = KEY_FILES[service]
    path = directory / name
    if not path.exists():
        create(path)
    return {setting: str(path)}


def broker_secret(directory):
    """What the passwords of the services' broker accounts are derived from."""
    return directory / "broker-secret"


def service_accounts(amqp_uri, directory):
    """{service: AMQP URI}: each service under its own account of the generated definitions,
    made or brought up to date in the vhost of `amqp_uri` with rabbitmqctl, so that consumers
    check which account published a fact (tests/test_up_accounts.py). Their passwords are
    derived from DIR/broker-secret, made on the first run. Where rabbitmqctl cannot make them,
    every service runs as `amqp_uri` says, and a warning says what that costs."""
    users = {service: provisioning.service_user(service) for service in chain.SERVICES}
    problem = None
    if ";" in amqp_uri or urlsplit(amqp_uri).hostname not in LOCAL_HOSTS:
        problem = "AMQP_URI is not one broker on this machine"
    else:
        passwords = provisioning.account_passwords(broker_secret(directory), users.values())
        uris = {service: provisioning.with_account(amqp_uri, user, passwords[user])
                for service, user in users.items()}
        try:
            provisioning.import_definitions(provisioning.account_definitions(
                Connection(amqp_uri).virtual_host, passwords))
        except FileNotFoundError:
            problem = "rabbitmqctl is not installed here"
        except subprocess.CalledProcessError as exc:
            problem = f"rabbitmqctl failed ({(exc.stderr.strip() or str(exc)).splitlines()[0]})"
        except subprocess.TimeoutExpired:
            problem = "rabbitmqctl did not answer"
        else:
            if broker_problem(uris["intake"]):
                problem = "the broker refused the accounts (is it another node than rabbitmqctl's?)"
    if problem:
        print(f"warning: {problem}, so every service runs as {broker_account(amqp_uri)} and "
              "consumers cannot check which account published a fact; run doorstroom up where "
              "rabbitmqctl manages the broker (as root or in the rabbitmq group) to give each "
              "service its own account", file=sys.stderr, flush=True)
        return dict.fromkeys(chain.SERVICES, amqp_uri)
    return uris


def instances(count, base):
    """Every process to run, as (name, service, port). intake runs once: it serves the PI's
    API. Each consuming service runs `count` times; instance k listens 10*(k-1) above the
    first, so the first keeps its port and no two instances of any services collide."""
    for service in chain.SERVICES:
        for k in range(1, (1 if service == "intake" else count) + 1):
            name = service if k == 1 else f"{service}-{k}"
            yield name, service, chain.port_of(service, base) + 10 * (k - 1)


def postgres_databases(server, prefix):
    """One database per service on the PostgreSQL `server`, created when missing: every
    instance of a service shares it."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote_identifier
            urls = {}
            for service in chain.SERVICES:
                name = f"{prefix}{service}"
                if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                      {"name": name}).first() is None:
                    connection.execute(text(f"CREATE DATABASE {quote(name)}"))
                urls[service] = admin.url.set(database=name).render_as_string(hide_password=False)
            return urls
    finally:
        admin.dispose()


def sqlite_databases(directory):
    return {service: f"sqlite:///{directory / f'{service}.db'}" for service in chain.SERVICES}


def migrate_databases(urls, out=sys.stdout):
    """Bring each service's database to this release's schema, as `doorstroom migrate`, saying
    so on `out` (None: silently); returns {service: {"revision": now, "was": before}}."""
    migrated = {}
    for service, url in urls.items():
        before, after = migrations.upgrade(service, url)
        migrated[service] = {"revision": after, "was": before}
        change = "up to date" if before == after else f"was {before or 'without a revision'}"
        if out is not None:
            print(f"{service}: {after} ({change})", file=out, flush=True)
    return migrated


def service_environment(service, directory, port, database_url, amqp_uri):
    environment = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "API_KEYS_FILE": str(directory / "api-keys.json"),
        **key_files(service, directory),
    }
    # A local chain serves its pages over plain http, where a browser drops a Secure cookie.
    environment.setdefault("WEB_COOKIE_SECURE", "false")
    if service == "notifications":
        # A local chain may call webhooks served on this machine over plain http.
        environment.setdefault("WEBHOOK_ALLOW_INSECURE_LOCALHOST", "true")
    return environment


def start_instances(planned, directory, databases, amqp_uris):
    logs = directory / "logs"
    logs.mkdir(exist_ok=True)
    nameko = shutil.which("nameko", path=os.path.dirname(sys.executable)) or "nameko"
    processes = {}
    for name, service, port in planned:
        command = [nameko, *chain.service_command(service)[1:]]
        with open(logs / f"{name}.log", "ab") as log:
            processes[name] = subprocess.Popen(
                command, cwd=chain.PROJECT_ROOT,
                env=service_environment(service, directory, port, databases[service],
                                        amqp_uris[service]),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return processes


def wait_until_healthy(processes, ports):
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    waiting = set(processes)
    while waiting and time.monotonic() < deadline:
        for name in sorted(waiting):
            if processes[name].poll() is not None:
                return f"{name} exited with code {processes[name].returncode}"
            try:
                if requests.get(f"http://127.0.0.1:{ports[name]}/health", timeout=2).ok:
                    waiting.discard(name)
            except requests.RequestException:
                pass
        time.sleep(0.3)
    return f"not healthy after {HEALTH_TIMEOUT_SECONDS}s: {', '.join(sorted(waiting))}" if waiting else None


def stop_services(processes):
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()


def run(args):
    problem = broker_problem(chain.amqp_uri())
    if problem:
        print(problem, file=sys.stderr)
        return 2
    directory = chain.data_dir(args.data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    keys = local_people(directory, api_keys(directory))
    base = chain.port_base(args.port_base)
    server = args.postgres
    if server:
        shown = make_url(server).render_as_string()  # without the password
        try:
            databases = postgres_databases(server, args.database_prefix)
        except Exception as exc:  # any failure means: no PostgreSQL we can use here
            print(f"Cannot use PostgreSQL at {shown} ({exc}).", file=sys.stderr)
            return 2
        where = f"PostgreSQL {shown}, databases {args.database_prefix}<service>"
    else:
        databases, where = sqlite_databases(directory), f"SQLite files in {directory}"
    migrate_databases(databases)
    planned = list(instances(args.instances, base))
    ports = {name: port for name, _, port in planned}
    how_many = ("one instance of each service" if args.instances == 1 else
                f"intake once, every other service {args.instances} times")
    amqp_uris = service_accounts(chain.amqp_uri(), directory)
    print(f"starting {len(planned)} processes ({how_many}) on {where}", flush=True)

    stopping = []
    def request_stop(signum, _frame):
        stopping.append(signum)
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    processes = {}
    try:
        # All at once: instances of a service take turns creating its tables themselves.
        processes.update(start_instances(planned, directory, databases, amqp_uris))
        problem = wait_until_healthy(processes, ports)
        if problem:
            print(f"The chain did not start: {problem}. Logs: {directory / 'logs'}",
                  file=sys.stderr)
            return 1
        print(f"doorstroom is up (broker {_without_password(chain.amqp_uri())}, data {directory})")
        accounts = sorted({broker_account(uri) for uri in amqp_uris.values()})
        print(f"broker accounts: {', '.join(accounts)}")
        for name in ports:
            print(f"  {name:<16} http://127.0.0.1:{ports[name]}   (OpenAPI: /openapi.json)")
        print(f"API keys (also in {directory / 'api-keys.json'}):")
        for line in key_lines(keys):
            print(f"  {line}")
        print("Pages, to open in a browser (sign in with a password below; add the TOTP "
              "secret to an authenticator app):")
        for line in sign_in_lines(keys, ports):
            print(f"  {line}")
        print(f"Logs in {directory / 'logs'}. Ctrl-C stops the chain.", flush=True)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping the chain",
                          file=sys.stderr)
                    return 1
            time.sleep(0.5)
        print("stopping the chain", flush=True)
        return 0
    finally:
        stop_services(processes)
