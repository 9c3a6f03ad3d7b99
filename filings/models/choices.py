"""get_FOO_display() that translates only the label it shows."""

from django.utils.encoding import force_str


class OneLabelDisplay:
    """Django's get_FOO_display() hashes every (value, label) choice of the field to look one up,
    and hashing a lazy label translates it: a stage's name translated six names, a service
    content's twelve. This one looks the value up among the choices' values and translates the
    label it finds."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = dict(field.flatchoices).get(value, value)
        except TypeError:  # an unhashable value (a list): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
