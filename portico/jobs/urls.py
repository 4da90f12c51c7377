from django.urls import path

from portico.jobs import views

org_urlpatterns = [
    path("jobs/<int:job_id>/", views.job_detail, name="job_detail"),
]
