"""The "upload a video" page of a session's exercise: the form, then the result page, which waits for
the background task (lumbar.web.formcheck.uploads)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from lumbar.domain.errors import InvalidInput
from lumbar.web.accounts.decorators import patient_required
from lumbar.web.accounts.request import SignedInRequest
from lumbar.web.formcheck import presenters, services, uploads
from lumbar.web.records import selectors as records


class VideoUploadForm(forms.Form):
    video = forms.FileField(
        label="Your video",
        required=False,  # said in clean_video, so that a file stopped at the size limit is named as such
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
        error_messages={
            "empty": uploads.EMPTY_FILE,
            "invalid": uploads.NOT_A_VIDEO,
            "missing": uploads.NO_FILE,
        },
    )
    # The page's own key: the same form sent twice (a double tap, a retry) is one check. Not a
    # person's input: one that is missing or malformed is replaced by a fresh key (start_upload).
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        limit_mb = uploads.MAX_UPLOAD_BYTES // (1024 * 1024)
        minutes = uploads.MAX_VIDEO_SECONDS // 60
        self.fields[
            "video"
        ].help_text = f"A video from your phone (MP4 or MOV), up to {limit_mb} MB and {minutes} minutes."

    def clean_video(self) -> Any:
        video = self.cleaned_data.get("video")
        if self.too_large or (video is not None and video.size > uploads.MAX_UPLOAD_BYTES):
            raise forms.ValidationError(uploads.too_large_message())
        if not video:
            raise forms.ValidationError(uploads.NO_FILE)
        return video


def _target(request: SignedInRequest, session_id: int, number: int) -> dict[str, Any]:
    """The session's exercise, with the camera placement the session player shows; a forged id or an exercise the camera
    cannot check is 404; a warning sign on hold is said on the page instead of the form."""
    session = records.session(request.user, session_id)
    if session is None or not 1 <= number <= len(session.program.exercises):
        raise Http404("No such exercise in this session")
    entry = session.program.exercises[number - 1]
    spec = services.checkable_spec(entry["id"])
    if spec is None:
        raise Http404("The camera cannot check this exercise")
    context: dict[str, Any] = {
        "session": session,
        "number": number,
        "entry": entry,
        "camera": presenters.camera_panel(session, number, entry, spec),
        "exercise_url": reverse("session-exercise", args=[session.pk, number]),
    }
    context["limit_mb"] = uploads.MAX_UPLOAD_BYTES // (1024 * 1024)
    context["limit_minutes"] = uploads.MAX_VIDEO_SECONDS // 60
    try:
        services.exercise_in_session(request.user, session.pk, number)
    except services.FormCheckRefused as exc:
        context["error"] = str(exc)
    return context


# Django reads a POST's files when something first asks for them, and the CSRF check asks first; so
# the check is made here, after the page's own upload handler (straight to the private folder, with
# the size limit) is in place.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@login_required
@patient_required
def upload(request: SignedInRequest, session_id: int, number: int) -> HttpResponse:
    handler = uploads.VideoUploadHandler(request)
    if request.method == "POST":
        request.upload_handlers = [handler]
    return _upload(request, session_id, number, handler)


@csrf_protect
def _upload(
    request: SignedInRequest, session_id: int, number: int, handler: uploads.VideoUploadHandler
) -> HttpResponse:
    context = _target(request, session_id, number)
    if context.get("error"):
        return render(request, "formcheck/upload.html", context, status=409)
    if request.method == "POST":
        data, files = request.POST, request.FILES  # read first: the handler then knows the size
        form = VideoUploadForm(data, files, too_large=handler.too_large)
        if form.is_valid():
            try:
                check = uploads.start_upload(
                    request.user,
                    session_id,
                    number,
                    form.cleaned_data["video"],
                    client_key=form.cleaned_data["key"],
                )
            except services.FormCheckRefused as exc:
                if str(exc).startswith("No such"):
                    raise Http404(str(exc)) from exc
                context["error"] = str(exc)
                return render(request, "formcheck/upload.html", context, status=409)
            except InvalidInput as exc:
                form.add_error("video", str(exc))
            else:
                return redirect("form-check-result", check_id=check.pk)
    else:
        form = VideoUploadForm(initial={"key": secrets.token_urlsafe(16)})
    context["form"] = form
    return render(request, "formcheck/upload.html", context)
