"""The tests' fork server: one process per pytest worker that has imported the
server's third-party modules once, and forks each ``manage.py serve`` the tests
start (``cafe/tests/servers.py``). A server process spends about 0.7 s of CPU
importing before it answers, and the suite starts some 130 of them; a forked one
starts in about 0.3 s.

Nothing of the project is imported here and Django's settings are never read (the
preloads that would read them are refused), so each server still reads its own
environment, as a fresh process does: a forked child replaces the environment,
working directory, arguments and output, then runs ``manage.py`` as ``__main__``.

Requests come one JSON line at a time on standard input and each gets one line
back: ``{"start": {"argv", "env", "cwd", "log"}}`` -> the child's pid;
``{"poll": pid}`` -> its exit status, or null while it runs (exited children are
reaped only when asked for, so a status is never lost). End of input ends it."""

import importlib
import json
import os
import runpy
import sys
import threading
import warnings

# What a server process imports that needs no settings, by the roots that pull in
# the most (python -X importtime manage.py serve). prometheus_client is left out:
# it reads PROMETHEUS_MULTIPROC_DIR when imported (core/metrics.py sets it).
PRELOAD = (
    "django.db.models",
    "django.urls",
    "django.http",
    "django.forms",
    "django.template",
    "django.core.handlers.asgi",
    "django.contrib.admin",
    "rest_framework.serializers",
    "psycopg",
    "psycopg_pool",
    "redis.asyncio",
    "uvicorn.main",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
    "uvloop",
    "channels.routing",
    "channels.generic.websocket",
    "jwt",
    "phonenumbers",
    "whitenoise.middleware",
    "asgiref.sync",
    "requests",
    "yaml",
)


def preload() -> None:
    from django.conf import settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a server shows its own import warnings
        for name in PRELOAD:
            importlib.import_module(name)
    assert not settings.configured, "a preload read Django's settings"
    assert "prometheus_client" not in sys.modules, "a preload imported prometheus_client"
    assert threading.active_count() == 1, "a preload started a thread"


def serve(argv: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """In the forked child: become ``python manage.py ...`` in ``cwd`` with ``env``,
    writing to ``log``. Its end is a Python process's: an exception or SystemExit
    leaves ``main`` and the interpreter shuts down as usual."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    output = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)  # the requests' pipe and the replies' are not the server's
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(nothing)
    sys.argv = argv
    sys.path[0] = cwd  # where `python manage.py` puts the script's directory
    runpy.run_path(argv[0], run_name="__main__")


def main() -> None:
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    preload()
    exited: dict[int, int] = {}
    for line in sys.stdin:
        request = json.loads(line)
        while True:  # reap every child that has exited, keeping its status
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            exited[pid] = os.waitstatus_to_exitcode(status)
        if "start" in request:
            pid = os.fork()
            if pid == 0:
                serve(**request["start"])
                return
            reply = pid
        else:
            reply = exited.get(request["poll"])
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
