import gc

from django.core.wsgi import get_wsgi_application

from domi.environment import select_settings

select_settings()

application = get_wsgi_application()

# The triage model (encoder, heads, every language's hard stops) loads here, in gunicorn's master before it
# forks (preload_app): each worker shares it and answers its first request at full speed.
from agents.local_model.startup import load_before_fork  # noqa: E402 - after Django is set up

load_before_fork()

# Everything imported at start-up (Django, the apps, the crew's libraries) lives as long as the process:
# move it out of the garbage collector's generations so full collections stay short under load.
gc.freeze()
