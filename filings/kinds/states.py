"""The stages of a filing and the words for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    ENTRY = "entry", _("信息填报")
    PROVIDER_REVIEW = "provider_review", _("服务商初审")
    SMS_VERIFICATION = "sms_verification", _("短信核验")
    BUREAU_REVIEW = "bureau_review", _("管局审核")
    PUBLISHED = "published", _("备案公示")
    WITHDRAWN = "withdrawn", _("已撤回")


# The five stages drawn on progress bars, in order.
STAGES = [State.ENTRY, State.PROVIDER_REVIEW, State.SMS_VERIFICATION, State.BUREAU_REVIEW, State.PUBLISHED]
# A subject may have only one filing in these states at a time.
OPEN_STATES = [State.ENTRY, State.PROVIDER_REVIEW, State.SMS_VERIFICATION, State.BUREAU_REVIEW]
# States in which the principal may still edit the filing's data.
EDITABLE_STATES = [State.ENTRY]
# States from which a filing may be withdrawn (never once it is with the bureau).
WITHDRAWABLE_STATES = [State.ENTRY, State.PROVIDER_REVIEW, State.SMS_VERIFICATION]
# States in which a filing's bureau package can be built: pre-review or later, its data submitted.
PACKAGE_STATES = [State.PROVIDER_REVIEW, State.SMS_VERIFICATION, State.BUREAU_REVIEW, State.PUBLISHED]
