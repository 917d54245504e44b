"""Gunicorn's settings for Vastuu, from the environment (README, "Going live").

deploy/serve starts gunicorn with this file; a systemd unit or a container can use it as well:
`gunicorn --config deploy/gunicorn.conf.py`.
"""

import os

wsgi_app = "config.wsgi:application"
# Loopback by default: the TLS proxy on the same machine is the only one to talk to gunicorn.
bind = [address.strip() for address in os.environ.get("VASTUU_BIND", "127.0.0.1:8000").split(",")
        if address.strip()]
workers = int(os.environ.get("VASTUU_WORKERS") or 3)
# Seconds a request may take before its worker is restarted (a large sheet import takes a while).
timeout = int(os.environ.get("VASTUU_TIMEOUT") or 60)
graceful_timeout = timeout
# Requests and errors go to standard output and error: journald (or the terminal) keeps them.
accesslog = "-"
errorlog = "-"
# Gunicorn 25+ opens a control socket in the home folder by default; systemd manages Vastuu, and
# two instances under one user would share the socket. (Older versions ignore the setting.)
control_socket_disable = True
