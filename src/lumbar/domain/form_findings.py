"""What the camera's form checks tell the progression review (issue 16).

Each checked set gives a form-check result (contracts/form-check.schema.json#/$defs/Result, the
motion pipeline's `FormResult.to_json()`, plus `counts_reps`). `finding_of` sums a day's results of
one exercise into one `FormFinding`: how much work was judged and, for each fault, the share of it the
fault was seen in. An exercise judged by repetitions counts the reps that carried the fault; one
judged by its holds (`counts_reps` false) counts the fault's seconds against the seconds held. A check
in which the camera could not see the person well (`visibility.ok` false) says nothing and is left
out; so is one that judged no repetition and no hold.

`persisting_fault` applies the rule of content/progression.toml [form_faults]: the same fault in more
than `more_than` of the work in each of the last `sessions` days with a finding for the exercise. One
day in between without it starts the count again. `faults_in_most` is the same test on one day: a
session in which the camera saw a fault in most of the work does not count toward making the
exercise harder. Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lumbar.domain.history import FormFinding
from lumbar.domain.progression_rules import FormFaults

SHARE_DIGITS = 3


def finding_of(day: date, exercise_id: str, results: Iterable[Mapping[str, Any]]) -> FormFinding | None:
    """One day's form-check results of one exercise as a finding; None when none of them judged
    anything with the camera seeing well."""
    reps = 0
    seconds = 0.0
    faulty_reps: Counter[str] = Counter()
    fault_seconds: dict[str, float] = {}
    for result in results:
        if not (result.get("visibility") or {}).get("ok", False):
            continue
        if result.get("counts_reps", True):
            for rep in result.get("reps") or []:
                reps += 1
                faulty_reps.update(set(rep.get("faults") or []))
        else:
            held = sum(float(hold.get("seconds") or 0) for hold in result.get("holds") or [])
            if held <= 0:
                continue
            seconds += held
            for fault in result.get("faults") or []:
                fault_seconds[fault["id"]] = fault_seconds.get(fault["id"], 0.0) + float(
                    fault.get("seconds") or 0
                )
    shares: dict[str, float]
    if reps:
        shares = {fault: count / reps for fault, count in faulty_reps.items()}
        seconds = 0.0  # judged by repetitions
    elif seconds > 0:
        shares = {fault: min(1.0, held / seconds) for fault, held in fault_seconds.items()}
    else:
        return None
    return FormFinding.model_validate(
        {
            "date": day.isoformat(),
            "exercise_id": exercise_id,
            "reps": reps,
            "hold_seconds": round(seconds, 2),
            "fault_shares": {
                fault: round(share, SHARE_DIGITS) for fault, share in sorted(shares.items()) if share > 0
            },
        }
    )


@dataclass(frozen=True)
class PersistingFault:
    """A fault seen in most of the work of an exercise at each of its last camera-checked sessions."""

    fault_id: str
    findings: tuple[FormFinding, ...]  # oldest first

    @property
    def days(self) -> list[date]:
        return [finding.date for finding in self.findings]

    @property
    def by_holds(self) -> bool:
        return all(finding.by_holds for finding in self.findings)


def faults_in_most(finding: FormFinding, policy: FormFaults) -> list[str]:
    """The faults seen in more than `policy.more_than` of the finding's work, most present first
    (then by id); tempo faults (`not_eased`) left out."""
    found = [
        (share, fault)
        for fault, share in finding.fault_shares.items()
        if share > policy.more_than and fault not in policy.not_eased
    ]
    return [fault for _, fault in sorted(found, key=lambda pair: (-pair[0], pair[1]))]


def persisting_fault(
    findings: Sequence[FormFinding], exercise_id: str, policy: FormFaults
) -> PersistingFault | None:
    """The fault seen in more than `policy.more_than` of the work in each of the last
    `policy.sessions` findings of the exercise, or None. Of several, the one most present at its
    least (then by id)."""
    own = sorted((f for f in findings if f.exercise_id == exercise_id), key=lambda f: f.date)
    last = own[-policy.sessions :]
    if len(last) < policy.sessions:
        return None
    common = set.intersection(*(set(faults_in_most(f, policy)) for f in last))
    if not common:
        return None
    fault = min(common, key=lambda fault: (-min(f.fault_shares[fault] for f in last), fault))
    return PersistingFault(fault, tuple(last))
