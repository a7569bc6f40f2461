import os

from django.core.wsgi import get_wsgi_application

from jiuzhu.core.files import private_umask

private_umask()  # files the server writes under var/ (attachments, exports) are private to its user
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")
application = get_wsgi_application()
