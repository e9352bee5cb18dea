from django.urls import path, re_path

from . import feeds, views
from .caching import public_page

app_name = "stories"

urlpatterns = [
    path("", public_page(views.StoryListView.as_view(), query=["page"]), name="list"),
    path("stories/<slug:slug>/", public_page(views.StoryDetailView.as_view()), name="detail"),
    path(
        "stories/<slug:slug>/reconciliation.json",
        public_page(views.ReconciliationView.as_view()),
        name="reconciliation",
    ),
    path(
        "sources/<int:pk>/",
        public_page(views.ArticleDetailView.as_view(), query=["version"]),
        name="source",
    ),
    # A person's slug may be Unicode (taggit's allow_unicode), which <slug:> refuses.
    re_path(
        r"^people/(?P<slug>[-\w]+)/$", public_page(views.PersonDetailView.as_view()), name="person"
    ),
    path("claims/<int:pk>/", public_page(views.ClaimDetailView.as_view()), name="claim"),
    # Finding and reusing the work (#12): search, feeds.
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.StoriesFeed(), name="feed"),
    path("rss/", feeds.StoriesRssFeed(), name="rss"),
    re_path(r"^people/(?P<slug>[-\w]+)/feed/$", feeds.PersonFeed(), name="person_feed"),
    re_path(r"^topics/(?P<slug>[-\w]+)/feed/$", feeds.TopicFeed(), name="topic_feed"),
]
