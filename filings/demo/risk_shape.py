"""How the demo history's filings come back: features drawn per filing that change the chance of
a provider return or a bureau rejection, and the catalogue reasons given, so that the rejection-
risk estimate has something true to find.

Every bulk filing starts from a base chance of 5% of being returned by the provider and 4% of
being rejected by the bureau on its first submission (Beijing and Shanghai twice that of the
bureau), and each feature adds to it:

- an individual subject (25% of filings): +12% returned, for a site name that reads like a
  company's (website-name-individual-company);
- a community, portal or download site without prior approvals (a third of those): +14%
  returned and +6% rejected, for missing prior approvals (prior-approval-required);
- a domain real-name verified under 7 days before submission (15%): +18% rejected, the
  bureau's copy not yet synced (domain-real-name-not-synced);
- an organisation whose principal is not its legal representative (20%): +10% returned
  (principal-not-legal-rep);
- materials whose scan check gave a warning (20%): +10% returned (licence-scan-unclear).

A filing sent back is fixed and resubmitted: its next submission has the feature that caused the
reason set right (the domain has aged, an approval was added, the principal or the scan replaced).
The features are recorded per submission (SubmittedFeatures) as the submit service records them;
the subject's kind, its legal representative and the site's service content are also written into
the filing's own rows, the rest (materials, approvals) only into the recorded features.
"""

import random
from dataclasses import dataclass, field

from filings.models import Subject, Website, wording
from filings.rules import durations as duration_rules
from filings.rules.reference_data import REJECTION_REASONS

BASE_RETURNED, BASE_REJECTED = 0.05, 0.04
STRICT_BUREAUS = {"11": 2.0, "31": 2.0}
NEEDS_APPROVAL = ("community", "portal", "software")
CONTENTS = [
    ("corporate", 50),
    ("personal", 10),
    ("ecommerce", 12),
    ("community", 10),
    ("portal", 8),
    ("software", 10),
]

# The feature value each reason's fix brings.
FIXES = {
    "website-name-individual-company": (),
    "prior-approval-required": (("prior_approval", "given"),),
    "domain-real-name-not-synced": (("real_name_age", "7_30d"),),
    "principal-not-legal-rep": (("legal_rep", "yes"),),
    "licence-scan-unclear": (("materials", "pass"),),
}


@dataclass
class Profile:
    """One bulk filing's features and what happens to its first submission."""

    features: dict[str, str]
    outcome: str | None = None  # "returned", "rejected" or None (it goes on)
    codes: list[str] = field(default_factory=list)

    @property
    def subject_kind(self) -> str:
        return self.features["subject_kind"]

    def fixed_features(self) -> dict[str, str]:
        """Return the features of the resubmission, with what the reasons named set right."""
        fixed = dict(self.features)
        for code in self.codes:
            fixed.update(FIXES.get(code, ()))
        return fixed


def draw_profile(rng: random.Random, province_code: str) -> Profile:
    individual = rng.random() < 0.25
    content = rng.choices([c for c, _w in CONTENTS], weights=[w for _c, w in CONTENTS])[0]
    needs_approval = content in NEEDS_APPROVAL
    features = {
        "subject_kind": Subject.Kind.INDIVIDUAL if individual else Subject.Kind.ENTERPRISE,
        "service_content": content,
        "prior_approval": ("none" if rng.random() < 0.34 else "given") if needs_approval else "none",
        "real_name_age": "under_7d" if rng.random() < 0.15 else rng.choice(["7_30d", "30_90d", "over_90d"]),
        "websites": rng.choices(["1", "2", "3+"], weights=[80, 15, 5])[0],
        "legal_rep": "no" if not individual and rng.random() < 0.2 else "yes",
        "materials": "warning" if rng.random() < 0.2 else "pass",
    }
    returned, rejected = {}, {}
    if individual:
        returned["website-name-individual-company"] = 0.12
    if needs_approval and features["prior_approval"] == "none":
        returned["prior-approval-required"] = 0.14
        rejected["prior-approval-required"] = 0.06
    if features["real_name_age"] == "under_7d":
        rejected["domain-real-name-not-synced"] = 0.18
    if features["legal_rep"] == "no":
        returned["principal-not-legal-rep"] = 0.10
    if features["materials"] == "warning":
        returned["licence-scan-unclear"] = 0.10
    profile = Profile(features)
    p_returned = BASE_RETURNED + sum(returned.values())
    p_rejected = (BASE_REJECTED + sum(rejected.values())) * STRICT_BUREAUS.get(province_code, 1.0)
    draw = rng.random()
    if draw < p_returned:
        profile.outcome, causes = "returned", returned
    elif draw < p_returned + p_rejected:
        profile.outcome, causes = "rejected", rejected
    else:
        return profile
    # Without a feature to blame, a reason of the base rate.
    profile.codes = [_pick(rng, causes) if causes else rng.choice(BASE_REASONS[profile.outcome])]
    return profile


BASE_REASONS = {
    "returned": ["licence-scan-corners-missing", "description-too-vague", "emergency-phone-duplicate"],
    "rejected": ["business-scope-mismatch", "website-name-too-short", "phone-unreachable"],
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    codes = sorted(weights)
    return rng.choices(codes, weights=[weights[c] for c in codes])[0]


class ReasonRows:
    """The stored reasons of the catalogue's codes, made once per seed (with their sources, so that
    each reader sees them in their language)."""

    def __init__(self) -> None:
        self.durations = duration_rules.rules()
        self.catalogue = {r["code"]: r for r in REJECTION_REASONS}
        self.rows: dict[str, dict] = {}

    def __call__(self, code: str) -> dict:
        if code not in self.rows:
            entry = self.catalogue[code]
            self.rows[code] = {
                "field": entry["field"],
                **wording.reason_part(
                    "reason", duration_rules.catalogue_words(entry["reason"], self.durations)
                ),
                **wording.reason_part(
                    "suggested_fix", duration_rules.catalogue_words(entry["suggested_fix"], self.durations)
                ),
                "code": code,
            }
        return self.rows[code]


def website_content(profile: Profile) -> str:
    return Website.ServiceContent(profile.features["service_content"]).value
