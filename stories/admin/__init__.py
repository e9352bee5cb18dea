"""The editor's desk: the Django admin, configured for sources, claims and stories.

One module per area, so each stays small; importing them registers the admins.
"""

from . import anchors, claims, jobs, origins, people, sources, statements, stories, topics  # noqa: F401
