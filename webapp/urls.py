from django.urls import path

from webapp import views

app_name = "webapp"

urlpatterns = [
    path("", views.page, {"view": "floor"}, name="floor"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    *(path(f"{view}/", views.page, {"view": view}, name=view) for view in views.VIEWS if view != "floor"),
]
