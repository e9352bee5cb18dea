from django.urls import path

from . import views

app_name = "stories"

urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("stories/<slug:slug>/", views.StoryDetailView.as_view(), name="detail"),
    path("sources/<int:pk>/", views.ArticleDetailView.as_view(), name="source"),
    path("people/<str:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim"),
]
