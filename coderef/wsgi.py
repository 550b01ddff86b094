import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")

application = get_wsgi_application()

# Everything loaded so far lives as long as the process: keep the garbage collector from scanning
# it again on every collection (and, with gunicorn --preload, keep forked workers' pages shared).
gc.freeze()
