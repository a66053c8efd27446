"""A clinic, its therapists and their patients, made through the real services and pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from tests.care_helpers import PASSWORD, onboard, patient_user

from lumbar.web.clinic import services as clinic_services
from lumbar.web.clinic.models import Therapist


@dataclass
class Staff:
    therapist: Therapist
    client: Client

    @property
    def user(self) -> Any:
        return self.therapist.user


def clinic_with_admin(name: str = "Riverside Physio", email: str = "anna@riverside.example") -> Staff:
    made = clinic_services.create_clinic(name, email, PASSWORD)
    return signed_in(made.therapist)


def colleague(of: Staff, email: str, *, admin: bool = False) -> Staff:
    made = clinic_services.add_therapist(of.therapist.clinic, email, PASSWORD, admin=admin)
    return signed_in(made.therapist)


def signed_in(therapist: Therapist) -> Staff:
    client = Client()
    client.force_login(therapist.user)
    return Staff(therapist=therapist, client=client)


def invite_code(staff: Staff, label: str = "") -> str:
    return clinic_services.create_invite(staff.therapist, label).code


def linked_patient(staff: Staff, email: str) -> tuple[Any, Client]:
    """A patient who signed up, finished the intake and entered the therapist's code on /join/."""
    client = Client()
    onboard(client, email)
    response = client.post("/join/", {"code": invite_code(staff)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return patient_user(email), client


def lone_patient(email: str) -> tuple[Any, Client]:
    client = Client()
    onboard(client, email)
    return patient_user(email), client
