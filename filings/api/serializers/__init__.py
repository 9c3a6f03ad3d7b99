"""Serializers of the filing API: what a filing looks like to each reader, and what writes accept.

One module per resource, each with what the API shows (`…Serializer`) and what it accepts
(`…Input`): `people`, `subjects` (with the province), `websites`, `apps`, `history` (events and
deadlines), `materials`, `verification` (SMS and face checks), `cancellations`; `filings` is the
filing itself as a list row or in full, `inputs` what the filing's own writes accept (create,
update, service answers, transitions), and `text` the text checks every input shares.
"""
