from django.urls import path

from lumbar.web.library import views

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/<slug:exercise_id>/", views.exercise_detail, name="exercise-detail"),
    path("exercises/<slug:exercise_id>/<slug:frame>.svg", views.figure, name="exercise-figure"),
    path("learn/", views.topic_list, name="topic-list"),
    path("learn/<slug:topic_id>/", views.topic_detail, name="topic-detail"),
]
