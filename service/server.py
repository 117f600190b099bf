"""The ASGI application as a server process runs it: ``service.server:app``.

The process is tuned first (:func:`service.process.tune`: BLAS threads and
freed memory), then the app is built from the environment's settings. Tests
and the command line build their own apps with :func:`service.app.create_app`
and leave the process as it is.
"""

from service.app import create_app
from service.domain.settings import get_settings
from service.process import tune
from service.stopping import lifespan

tune(get_settings())
app = create_app(get_settings())
app.router.lifespan_context = lifespan
