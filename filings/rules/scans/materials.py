"""What each kind of material is on paper: its physical size and the resolution its scan needs."""

from dataclasses import dataclass

# Physical (width, height) in millimetres of what each material shows; orientation does not matter.
# The licence is its 副本, printed A4 landscape.
A4_MM = (210.0, 297.0)
ID_CARD_MM = (85.6, 54.0)
PHYSICAL_SIZE_MM: dict[str, tuple[float, float]] = {
    "business_licence": (297.0, 210.0),
    "id_front": ID_CARD_MM,
    "id_back": ID_CARD_MM,
    "construction_plan": A4_MM,
    "pledge": A4_MM,
    "prior_approval": A4_MM,
    "authorisation": A4_MM,
    "other": A4_MM,
}


@dataclass(frozen=True)
class DpiRule:
    """Below fail_below the check fails; below warn_below (but not fail_below) it warns."""

    fail_below: int
    warn_below: int


# The bureaus reject business licences scanned below 300 dpi.  Other materials are often phone photos
# (ID cards especially), so below 300 dpi only warns; below 150 dpi text is unreadable and it fails.
DPI_RULES: dict[str, DpiRule] = {
    "business_licence": DpiRule(fail_below=300, warn_below=300),
    "id_front": DpiRule(fail_below=150, warn_below=300),
    "id_back": DpiRule(fail_below=150, warn_below=300),
    "construction_plan": DpiRule(fail_below=150, warn_below=300),
    "pledge": DpiRule(fail_below=150, warn_below=300),
    "prior_approval": DpiRule(fail_below=150, warn_below=300),
    "authorisation": DpiRule(fail_below=150, warn_below=300),
    "other": DpiRule(fail_below=150, warn_below=300),
}
RECOMMENDED_DPI = 300
