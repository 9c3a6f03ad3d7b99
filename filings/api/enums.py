"""Choice sets named once for the OpenAPI schema (drf-spectacular's ENUM_NAME_OVERRIDES)."""

from filings.kinds.states import State
from filings.models import App, Deadline, Material, Subject

FILING_STATE = State.choices
SUBJECT_KIND = Subject.Kind.choices
DEADLINE_KIND = Deadline.Kind.choices
MATERIAL_KIND = Material.Kind.choices
APP_KIND = App.Kind.choices
