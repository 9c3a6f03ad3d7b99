"""A filing's history and deadlines as the API shows them."""

from rest_framework import serializers

from filings.models import Deadline, FilingEvent
from filings.rules.privacy import FIELD_MASKS


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    comment = serializers.CharField(source="shown_comment", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The system's texts in the reader's language; their sources stay internal.
        data["reasons"] = [
            {k: v for k, v in r.items() if not k.endswith("_source")} if isinstance(r, dict) else r
            for r in instance.shown_reasons
        ]
        if not self.context.get("unmasked"):
            data["reasons"] = [self._masked(item) for item in data["reasons"] or []]
        return data

    @staticmethod
    def _masked(item):
        if not isinstance(item, dict):
            return item
        mask = FIELD_MASKS.get(str(item.get("field", "")).rsplit(".", 1)[-1])
        if mask is None:
            return item
        return {k: (mask(v) if k in ("old", "new") and isinstance(v, str) else v) for k, v in item.items()}

    class Meta:
        model = FilingEvent
        fields = [
            "id",
            "at",
            "actor",
            "transition",
            "from_state",
            "to_state",
            "comment",
            "reasons",
            "stage_visit",
        ]


class DeadlineSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="label")

    class Meta:
        model = Deadline
        fields = [
            "id",
            "stage",
            "stage_visit",
            "kind",
            "kind_label",
            "starts_at",
            "due_at",
            "workdays",
            "provisional",
            "closed_at",
        ]
