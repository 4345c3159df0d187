"""WSGI entry point: ``gunicorn wsgi:app``."""
import gc

from app import create_app

app = create_app()
# Everything made so far (modules, the app, its metadata: some 400,000 objects) lives as
# long as the process. Frozen, it is no longer walked by every full garbage collection,
# which took about 8 % of the CPU of a batch of households (2 % frozen).
gc.freeze()
