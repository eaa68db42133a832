from django.urls import include, path

from rewards import views

urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("leaderboard/export.xlsx", views.leaderboard_export, name="leaderboard-export"),
    path("leaderboard/lock/", views.leaderboard_lock, name="leaderboard-lock"),
    path("me/", views.me, name="me"),
    path("disputes/", include("rewards.disputes.urls")),
]
