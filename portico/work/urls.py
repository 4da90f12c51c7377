"""Work (jobs): staff pages under /o/<org_slug>/work/ (``org_urlpatterns``); nothing at the root."""

from django.urls import URLPattern, path

from portico.work import views

org_urlpatterns: list[URLPattern] = [
    path("work/", views.work_job_list, name="work_job_list"),
    path("work/new/", views.work_job_new, name="work_job_new"),
    path("work/<int:job_id>/", views.work_job_detail, name="work_job_detail"),
    path("work/<int:job_id>/edit/", views.work_job_edit, name="work_job_edit"),
    path("work/<int:job_id>/move/", views.work_job_move, name="work_job_move"),
    path("work/<int:job_id>/assign/", views.work_job_assign, name="work_job_assign"),
]
urlpatterns: list[URLPattern] = []
