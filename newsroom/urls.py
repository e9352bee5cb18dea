from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom desk"
admin.site.site_title = "Newsroom desk"
admin.site.index_title = "Sources, claims and stories"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("stories.urls")),
]

handler400 = "newsroom.views.bad_request"
