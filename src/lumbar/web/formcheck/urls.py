from django.urls import path

from lumbar.web.formcheck import views
from lumbar.web.formcheck.upload_views import upload

urlpatterns = [
    path(
        "camera/session/<int:session_id>/exercise/<int:number>/start/",
        views.live_start,
        name="form-check-start",
    ),
    path("camera/checks/<int:check_id>/", views.result, name="form-check-result"),
    path("camera/checks/<int:check_id>/batch/", views.live_batch, name="form-check-batch"),
    path("camera/checks/<int:check_id>/finish/", views.live_finish, name="form-check-finish"),
    path("camera/checks/<int:check_id>/delete/", views.delete, name="form-check-delete"),
    path(
        "camera/session/<int:session_id>/exercise/<int:number>/upload/",
        upload,
        name="form-check-upload",
    ),
]
