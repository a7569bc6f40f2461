from django.urls import include, path

from jiuzhu.api.app import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("jiuzhu.web.urls")),
]
