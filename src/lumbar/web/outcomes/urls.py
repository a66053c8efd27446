from django.urls import path

from lumbar.web.outcomes import views

urlpatterns = [
    path("progress/", views.progress_page, name="progress"),
    path("progress/reassess/", views.reassess, name="progress-reassess"),
]
