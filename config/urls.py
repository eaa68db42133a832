from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import health, metrics, views

urlpatterns = [
    # Browsers ask for /favicon.ico where a page names no icon (a file download, a JSON answer).
    path("favicon.ico", views.favicon),
    # Probes for a load balancer or an orchestrator (config.health): no login, JSON.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("kb/", include(("knowledge_base.urls", "kb"))),
    path("orders/", include(("campaigns.orders.urls", "orders"))),
    path("", include("campaigns.urls")),
    path("", include("rewards.urls")),
    path("api/v1/", include("config.api.router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
