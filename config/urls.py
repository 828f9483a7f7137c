from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core.errors import not_found
from realtime import docs as socket_docs
from webapp import views as webapp_views

urlpatterns = [
    # The web app (README, "The web app"); the site root leads there.
    path("", webapp_views.root, name="root"),
    path("app/", include("webapp.urls")),
    path("admin/", admin.site.urls),
    path("api/users/", include("accounts.urls")),
    path("api/cafe/", include("cafe.urls")),
    # The API's documentation, generated from the code (see README, "API documentation").
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/asyncapi.yaml", socket_docs.asyncapi_yaml, name="asyncapi-yaml"),
    path("api/asyncapi.json", socket_docs.asyncapi_json, name="asyncapi-json"),
    path("api/asyncapi/", socket_docs.asyncapi_html, name="asyncapi"),
    # Any other /api/.../ path (say, a malformed id) answers the JSON 404 even with DEBUG
    # on, where Django would render its HTML debug page (without the slash: APPEND_SLASH).
    re_path(r"^api/.*/$", csrf_exempt(not_found)),
]

handler400 = "core.errors.bad_request"
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
