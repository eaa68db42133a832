from django.urls import path

from rewards.disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.dispute_new, name="new"),
    path("<int:pk>/decide/", views.dispute_decide, name="decide"),
    path("<int:pk>/withdraw/", views.dispute_withdraw, name="withdraw"),
]
