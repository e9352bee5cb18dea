"""The production recipe, run for real on loopback: nginx terminates TLS with a
self-signed certificate and proxies to gunicorn started with ``deploy/gunicorn.conf.py``
and the production settings, exactly as README's "Production" section says.

Everything listens on 127.0.0.1 on free ports; every process is started here and ended
here; every wait is bounded. Needs ``nginx`` and ``openssl`` (Debian: ``nginx-light``,
``openssl``); without them the test is skipped with a message, unless
``NEWSROOM_REQUIRE_DEPLOY`` is set (``.ci/run`` sets it and installs both), in which case
it fails.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
STARTUP_SECONDS = 60
PASSWORD = "deploy-test-password-8472"


def _tool(name):
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/sbin") / name) if p.exists()), None
    )
    if found is None:
        reason = (
            f"{name} not found: install Debian's nginx-light and openssl "
            "(sudo apt-get install nginx-light openssl) to run the deployment test"
        )
        if os.environ.get("NEWSROOM_REQUIRE_DEPLOY"):
            pytest.fail(f"{reason} (NEWSROOM_REQUIRE_DEPLOY is set, so this is a failure)")
        pytest.skip(reason)
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(tmp, **extra):
    """The environment README's recipe sets, pointed at throwaway places in ``tmp``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "SECRET_KEY", "TRUST_PROXY"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        ALLOWED_HOSTS="localhost",
        WEB_CONCURRENCY="1",
        **extra,
    )
    return environment


def run(args, environment, what):
    result = subprocess.run(
        args, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{what} failed:\n{result.stdout}\n{result.stderr}"
    return result


def nginx_site(tmp, https_port, http_port, app_port):
    """deploy/nginx/newsroom.conf with this machine's ports, host and certificate."""
    site = (DEPLOY / "nginx" / "newsroom.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("server_name newsroom.example.org;", "server_name localhost;"),
        ("/etc/ssl/newsroom/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/ssl/newsroom/privkey.pem", str(tmp / "key.pem")),
    ]:
        assert old in site, f"deploy/nginx/newsroom.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    return site


def nginx_main(tmp, site_path):
    """The smallest nginx.conf around the site, with every path of its own in ``tmp``."""
    temp = {name: tmp / f"nginx-{name}" for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    # As root, workers would switch to "nobody", who cannot enter pytest's tmp dirs.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site_path};
}}
"""


class Processes:
    """Servers started by this test, each in a session of its own; all ended at the end."""

    def __init__(self, tmp):
        self.tmp, self.started = tmp, []

    def start(self, name, args, environment=None):
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed in stop_all)
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process, log))
        return process

    def log_of(self, name):
        return (self.tmp / f"{name}.log").read_text()

    def wait_for_port(self, name, process, port):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.log_of(name)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"{name} did not listen on 127.0.0.1:{port} in time:\n{self.log_of(name)}")

    def stop_all(self):
        for _, process, _ in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, log in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    nginx, openssl = _tool("nginx"), _tool("openssl")
    tmp = tmp_path_factory.mktemp("deploy")
    run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
        ],
        None,
        "openssl req",
    )  # fmt: skip

    # README's steps: migrate, collectstatic, a superuser, and a clean check --deploy.
    trusted = production_environment(tmp, TRUST_PROXY_HEADERS="true")
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], trusted, "migrate")
    run([*manage, "collectstatic", "--noinput", "-v0"], trusted, "collectstatic")
    run(
        [*manage, "createsuperuser", "--noinput", "--username", "editor", "--email", "e@x.invalid"],
        {**trusted, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        "createsuperuser",
    )
    run([*manage, "check", "--deploy", "--fail-level", "WARNING"], trusted, "check --deploy")

    ports = {name: free_port() for name in ("app", "untrusted_app", "quick_try", "https", "http")}
    processes = Processes(tmp)
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")]
    try:
        servers = [
            ("gunicorn", gunicorn, {**trusted, "GUNICORN_BIND": f"127.0.0.1:{ports['app']}"}),
            # The same app with the proxy headers not trusted (the default), reached directly.
            (
                "gunicorn-untrusted",
                gunicorn,
                {
                    **production_environment(tmp),
                    "GUNICORN_BIND": f"127.0.0.1:{ports['untrusted_app']}",
                },
            ),
        ]
        # README's quick try: no proxy, no TLS, plain http on loopback.
        quick_try = production_environment(
            tmp, SECURE_SSL_REDIRECT="false", GUNICORN_BIND=f"127.0.0.1:{ports['quick_try']}"
        )
        servers.append(("gunicorn-quick-try", gunicorn, quick_try))
        site = tmp / "newsroom.conf"
        site.write_text(nginx_site(tmp, ports["https"], ports["http"], ports["app"]))
        (tmp / "nginx.conf").write_text(nginx_main(tmp, site))
        nginx_args = [nginx, "-e", str(tmp / "nginx-error.log"), "-p", str(tmp)]
        nginx_args += ["-c", str(tmp / "nginx.conf"), "-g", "daemon off;"]
        servers.append(("nginx", nginx_args, None))
        started = [(name, processes.start(name, args, env)) for name, args, env in servers]
        port_of = {
            "gunicorn": "app",
            "gunicorn-untrusted": "untrusted_app",
            "gunicorn-quick-try": "quick_try",
            "nginx": "https",
        }
        for name, process in started:
            processes.wait_for_port(name, process, ports[port_of[name]])
        processes.wait_for_port("nginx", started[-1][1], ports["http"])
        context = ssl.create_default_context(cafile=str(tmp / "cert.pem"))
        yield {"ports": ports, "tls": context, "processes": processes}
    finally:
        processes.stop_all()


class Browser:
    """Just enough of a browser over http.client: cookies, and no redirects followed."""

    def __init__(self, deployment, port, tls=True):
        self.port, self.tls, self.context = port, tls, deployment["tls"]
        self.cookies = SimpleCookie()

    def request(self, method, path, body=None, headers=None):
        if self.tls:
            connection = http.client.HTTPSConnection(
                "localhost", self.port, context=self.context, timeout=30
            )
        else:
            connection = http.client.HTTPConnection("localhost", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        response.set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in response.set_cookies:
            self.cookies.load(header)
        return response

    def post_form(self, path, fields):
        origin = f"https://localhost:{self.port}"
        return self.request(
            "POST",
            path,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            },
        )


def test_https_through_the_proxy_serves_the_site_with_hsts(deployment):
    response = Browser(deployment, deployment["ports"]["https"]).request("GET", "/")

    assert response.status == 200, response.text[:500]
    assert "Newsroom" in response.text
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_plain_http_is_sent_to_https(deployment):
    browser = Browser(deployment, deployment["ports"]["http"], tls=False)

    response = browser.request("GET", "/stories/some-story/?page=2")

    assert response.status == 301
    assert response.headers["Location"] == "https://localhost/stories/some-story/?page=2"


def test_a_forged_forwarded_proto_is_not_believed_when_trust_is_off(deployment):
    port = deployment["ports"]["untrusted_app"]
    browser = Browser(deployment, port, tls=False)

    response = browser.request("GET", "/", headers={"X-Forwarded-Proto": "https"})

    # Taken for what it is, plain http: redirected to https, not served.
    assert response.status == 301, response.text[:500]
    assert response.headers["Location"] == f"https://localhost:{port}/"
    assert "Strict-Transport-Security" not in response.headers
    for header in ("X-Forwarded-Ssl: on", "X-Forwarded-Protocol: ssl"):
        name, value = header.split(": ")
        assert browser.request("GET", "/", headers={name: value}).status == 301, header


def test_static_files_are_served_through_the_proxy(deployment):
    browser = Browser(deployment, deployment["ports"]["https"])
    page = browser.request("GET", "/").text
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/stories/site\.\w+\.css)"', page)
    assert stylesheet, "the front page links no hashed site.css"

    response = browser.request("GET", stylesheet.group(1))

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert ".skip-link" in response.text
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_an_editor_logs_in_over_https_and_a_long_paste_gets_djangos_explanation(deployment):
    browser = Browser(deployment, deployment["ports"]["https"])
    login = browser.request("GET", "/admin/login/")
    assert login.status == 200
    assert any("csrftoken=" in c and "Secure" in c for c in login.set_cookies), login.set_cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)

    response = browser.post_form(
        "/admin/login/",
        {
            "csrfmiddlewaretoken": token,
            "username": "editor",
            "password": PASSWORD,
            "next": "/admin/",
        },
    )

    assert response.status == 302, response.text[:2000]
    assert response.headers["Location"] == "/admin/"
    assert any("sessionid=" in c and "Secure" in c for c in response.set_cookies)
    assert browser.request("GET", "/admin/").status == 200

    # 3 MB of text: over Django's limit, under nginx's, so Django's page explains it.
    add = browser.request("GET", "/admin/stories/article/add/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', add.text).group(1)
    too_long = browser.post_form(
        "/admin/stories/article/add/",
        {"csrfmiddlewaretoken": token, "headline": "Long", "body": "x" * (3 << 20)},
    )
    assert too_long.status == 400
    assert "Submission too large" in too_long.text
    assert "the limit is 2.5" in too_long.text


def test_the_quick_try_without_tls_serves_plain_http(deployment):
    browser = Browser(deployment, deployment["ports"]["quick_try"], tls=False)

    response = browser.request("GET", "/")

    assert response.status == 200, response.text[:500]
    assert "Strict-Transport-Security" not in response.headers  # what it gives up
    assert browser.request("GET", "/admin/login/").status == 200
