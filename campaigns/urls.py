from django.urls import path

from campaigns import views

urlpatterns = [
    path("accounts/", views.account_search, name="account-search"),
    path("accounts/<str:number>/", views.account_detail, name="account-page"),
    path("accounts/<str:number>/appeal/", views.appeal_start, name="appeal-start"),
    path("accounts/<str:number>/appeal/save/", views.appeal_save, name="appeal-save"),
    path(
        "accounts/<str:number>/recommendations/<int:target_id>/result/",
        views.record_result,
        name="record-result",
    ),
]
