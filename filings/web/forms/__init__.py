"""Forms of the filing pages, one module per page or part.

base: what every form shares (accessible rows, refused control characters); start: a new filing's type
and province; parts: the subject, a person, a prior approval; websites: a website with its domains and
approvals; entry: the whole entry form of a website filing; apps: the entry form of an APP filing;
actions: the small forms of a filing's pages; filters: the list's search and filters.
"""
