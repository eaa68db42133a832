from django.urls import path

from knowledge_base import views

app_name = "kb"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_partial, name="search"),
    path("c/<str:slug>/", views.category, name="category"),
    path("a/<int:pk>/", views.article, name="article"),
    path("a/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("bridges/<slug:code>/", views.bridge, name="bridge"),
    path("objections/", views.objections, name="objections"),
    path("mine/", views.mine, name="mine"),
]
