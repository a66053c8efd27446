from django.urls import path

from lumbar.web.onboarding import views

urlpatterns = [
    path("start/", views.start, name="onboarding-start"),
    path("start/screen/<int:number>/", views.screen_question, name="onboarding-screen"),
    path("start/get-help/", views.stop, name="onboarding-stop"),
    path("start/get-help/seen-a-clinician/", views.rescreen, name="onboarding-rescreen"),
    path("start/review/", views.review, name="onboarding-review"),
    path("start/<slug:slug>/", views.intake_step, name="onboarding-step"),
]
