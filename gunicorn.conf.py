"""gunicorn settings of the web process (`gunicorn -c gunicorn.conf.py egovexperts.wsgi`).

Every value can be changed from the environment, so the same file serves a laptop, a container
and each of several web machines behind a load balancer (README, "Deployment").
"""

import multiprocessing
import os

wsgi_app = "egovexperts.wsgi:application"

# All interfaces by default: in a container, or behind the proxy on a private network.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"

# Sync workers: each holds one request and one database connection at a time. gunicorn's rule of
# thumb, 2 x cores + 1, gives 5 on a 2-core machine; WEB_CONCURRENCY (the usual variable of
# platforms that run a Procfile) overrides it, e.g. to stay within PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# An import preview reads up to 10,000 rows; give it time before the worker is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after about a thousand requests: memory a long-lived process collects
# (caches per process, fragmentation) is given back; the jitter keeps workers from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100

# One line per request on stdout, errors on stderr: the platform or journald collects both.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Addresses of the reverse proxies whose X-Forwarded-* headers gunicorn believes (comma-separated,
# "*" for any, e.g. inside a private network where only the load balancer reaches the app). Django
# decides on its own, from TRUSTED_PROXY_COUNT, whether it believes X-Forwarded-Proto and -For.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's runtime control socket (in the user's home by default) is not used here.
control_socket_disable = True
