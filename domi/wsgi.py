from django.core.wsgi import get_wsgi_application

from domi.environment import select_settings

select_settings()

application = get_wsgi_application()
