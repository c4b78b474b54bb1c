import gc

from django.core.wsgi import get_wsgi_application

from domi.environment import select_settings

select_settings()

application = get_wsgi_application()

# Everything imported at start-up (Django, the apps, the crew's libraries) lives as long as the process:
# move it out of the garbage collector's generations so full collections stay short under load.
gc.freeze()
