from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from stories.sitemaps import SITEMAPS
from stories.views import FaviconView

admin.site.site_header = "Newsroom desk"
admin.site.site_title = "Newsroom desk"
admin.site.index_title = "Sources, claims and stories"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("stories.urls")),
    # Finding and reusing the work (#12): the API, the sitemap, robots.txt, the icon.
    path("api/", include("stories.api.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]

handler400 = "newsroom.views.bad_request"
