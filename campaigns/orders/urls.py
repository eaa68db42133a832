"""The order pages, included under /orders/ in the "orders" namespace."""

from django.urls import path

from campaigns.orders import views

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_new, name="new"),
    path("export.csv", views.order_export, name="export"),
    path("status/", views.order_status, name="status"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/reveal/", views.order_reveal, name="reveal"),
    path("<int:pk>/cancel/", views.order_cancel, name="cancel"),
]
