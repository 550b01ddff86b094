from django.urls import path

from codes import api, views
from codes.codebook import views as codebook_views

app_name = "codes"

urlpatterns = [
    path("", views.search, name="search"),
    path("codes/<slug:system>/<str:code>/", views.code_detail, name="code-detail"),
    path(
        "codes/<slug:system>/<str:code>/pdx-exclusions/",
        codebook_views.pdx_exclusions,
        name="pdx-exclusions",
    ),
    path("compare/", views.compare, name="compare"),
    path("compare/export/", views.compare_export, name="compare-export"),
    path("comparisons/", views.comparison_list, name="comparison-list"),
    path("comparisons/export/", views.comparison_list_export, name="comparison-list-export"),
    path("exports/<uuid:job_id>/", views.export_job, name="export-job"),
    path("exports/<uuid:job_id>/download/", views.export_job_download, name="export-job-download"),
    path("api/compare", api.compare, name="api-compare"),
    path("changes/", views.changes, name="changes"),
    path("changes/<slug:kind>/<int:history_id>/", views.change_detail, name="change-detail"),
    path("releases/", views.release_list, name="release-list"),
    path("releases/<slug:system>/<str:label>/", views.release_detail, name="release-detail"),
    path(
        "releases/<slug:system>/<str:label>/export/",
        views.release_export,
        name="release-export",
    ),
    path("api/releases/<slug:system>/<str:label>", api.release, name="api-release"),
    path("me/favourites/", views.favourite, name="favourite"),
    path("me/search-systems/", views.search_systems, name="search-systems"),
    path("api/me/favourites", api.favourites, name="api-favourites"),
    path("healthz", views.healthz, name="healthz"),
    path("api/search", api.search, name="api-search"),
    path("api/codes/<slug:system>/<str:code>", api.code, name="api-code"),
]
