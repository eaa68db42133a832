from django.urls import path

from campaigns import views

urlpatterns = [
    path("callbacks/", views.callback_list, name="callbacks"),
    path(
        "callbacks/<int:callback_id>/reschedule/",
        views.callback_reschedule,
        name="callback-reschedule",
    ),
    path("accounts/", views.account_search, name="account-search"),
    path("accounts/<str:number>/", views.account_detail, name="account-page"),
    path("accounts/<str:number>/appeal/", views.appeal_start, name="appeal-start"),
    path("accounts/<str:number>/appeal/save/", views.appeal_save, name="appeal-save"),
    path(
        "accounts/<str:number>/kb/bridges/<slug:code>/",
        views.account_bridge,
        name="account-bridge",
    ),
    path(
        "accounts/<str:number>/kb/objections/<slug:code>/",
        views.account_objection,
        name="account-objection",
    ),
    path(
        "accounts/<str:number>/recommendations/<int:target_id>/result/",
        views.record_result,
        name="record-result",
    ),
]
