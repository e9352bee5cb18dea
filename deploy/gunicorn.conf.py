"""gunicorn for the newsroom, behind a TLS-terminating reverse proxy (README, "Production").

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py

What differs between machines comes from the environment (the systemd unit reads it
from /etc/newsroom/env): ``GUNICORN_BIND`` (127.0.0.1:8000), ``WEB_CONCURRENCY``
(3 workers), and the Django settings' own variables.
"""

import os
from pathlib import Path

# The checkout this file is in, whatever the current directory.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "newsroom.wsgi:application"

# Loopback only: the proxy on this machine is the only client. That is what makes
# TRUST_PROXY_HEADERS=true safe, since Django then believes X-Forwarded-Proto from
# whoever reaches this port.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"

# Django alone decides whether a request came over https: SECURE_PROXY_SSL_HEADER, set
# only when TRUST_PROXY_HEADERS is. gunicorn's own defaults would mark a request https
# whenever a local client sends X-Forwarded-Proto, X-Forwarded-Ssl or
# X-Forwarded-Protocol, whatever Django was told, so gunicorn trusts none of them.
secure_scheme_headers = {}
# The only peer whose forwarding headers gunicorn acts on at all (SCRIPT_NAME, PATH_INFO).
forwarded_allow_ips = "127.0.0.1"
