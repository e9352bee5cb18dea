"""The desk's two roles, as permission lists turned into groups, and the one
rule that needs more than a permission: who may change a public claim.

Kept out of the migration so the admin, the tests and the migration agree on
one definition of what a reporter may do. Migration 0003 creates the groups;
``sync_roles`` also runs after every ``migrate`` (and every test-database
flush, which empties the groups a data migration made), so a change to these
lists reaches existing databases without another data migration.
"""

REPORTERS = "Reporters"
EDITORS = "Editors"

_CRUD = ("view", "add", "change", "delete")

# Reporters import, tag, create claims and evidence, draft stories and submit
# them for review. They do not publish, unpublish, delete stories or merge people.
REPORTER_PERMISSIONS = [
    *(
        f"stories.{action}_{model}"
        for model in ("article", "outlet", "person")
        for action in _CRUD[:3]
    ),
    *(
        f"stories.{action}_{model}"
        for model in ("claim", "evidence", "statement")
        for action in _CRUD
    ),
    *(
        f"stories.{action}_{model}"
        for model in (
            "personmention",
            "personsuggestion",
            "notaperson",
            "origin",
            "evidencerelay",
        )
        for action in _CRUD
    ),
    # Decisions on origins and derivations, and verdicts, change what readers
    # count and read: reporters see them, editors make them.
    "stories.view_originmatch",
    "stories.view_derivation",
    "stories.view_verdict",
    "stories.view_story",
    "stories.add_story",
    "stories.change_story",
    "stories.submit_story",
    "stories.view_storyrevision",
    "stories.view_correction",
    "stories.view_job",
    "taggit.view_tag",
    "taggit.add_tag",
    "taggit.change_tag",
]

# Editors can do everything on the desk, including what is kept from reporters.
EDITOR_EXTRA_PERMISSIONS = [
    "stories.delete_article",
    "stories.delete_outlet",
    "stories.delete_person",
    "stories.merge_person",
    "stories.delete_story",
    "stories.publish_story",
    "stories.add_correction",
    "stories.change_correction",
    "stories.delete_correction",
    "taggit.delete_tag",
    "stories.change_originmatch",
    "stories.change_derivation",
    "stories.add_verdict",
    "stories.change_verdict",
    "stories.delete_verdict",
    # Unlocking a login that django-axes locked is deleting its access attempt.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "stories.delete_job",
]

ROLE_PERMISSIONS = {
    REPORTERS: REPORTER_PERMISSIONS,
    EDITORS: REPORTER_PERMISSIONS + EDITOR_EXTRA_PERMISSIONS,
}


def sync_roles(group_model, permission_model):
    """Make each role's group hold exactly its permissions.

    Takes the models as arguments so the data migration can pass its
    historical ones. Permissions not created yet are skipped (the next sync
    adds them).
    """
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = permission_model.objects.none()
        for code in codes:
            app_label, codename = code.split(".")
            wanted |= permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(wanted)


# What the rule below turns on: publishing is an editor's permission.
PUBLISH = "stories.publish_story"


def may_change_public_claim(user, claim=None):
    """Whether ``user`` may change ``claim`` and its evidence; without a claim,
    whether they may change the claims a published story cites.

    All evidence on a public claim is shown to readers at once, so once a
    published story cites a claim, changing it or its passages (adding one
    included) is publishing: editors only. Reporters keep full use of claims
    no published story cites yet.
    """
    if user.has_perm(PUBLISH):
        return True
    return claim is not None and not _public_claims().filter(pk=claim.pk).exists()


def changeable_claims(user, claims):
    """``claims`` less those ``user`` may not change (:func:`may_change_public_claim`)."""
    if may_change_public_claim(user):
        return claims
    return claims.exclude(pk__in=_public_claims())


def _public_claims():
    # Imported when asked: migration 0003 imports this module for the permission
    # lists, and a migration must not pull in today's models.
    from .models import Claim

    return Claim.objects.published()


# What a desk user needs to preview what readers cannot see yet (drafts, unpublished
# claims and sources): a desk role's hold on stories, not merely access to the admin.
PREVIEW_PERMISSIONS = ("stories.view_story", "stories.change_story")


def may_preview(user):
    """Whether ``user`` sees the reader pages as the desk does: drafts, stories in
    review or scheduled, and whatever only those cite. Staff status alone is not
    enough (it only opens the admin); Reporters and Editors, and superusers, may."""
    return user.is_active and user.is_staff and user.has_perms(PREVIEW_PERMISSIONS)


def may_edit_public(user):
    """Whether ``user`` may change what readers already see of a public object: a
    published story's address, a public person's name, description and aliases, a
    public source's headline, byline, URL, outlet and date, a public outlet's name.
    Editors may (``stories.publish_story``: changing it is publishing); reporters
    see those fields read-only, and keep full use of what is not public yet."""
    return user.has_perm("stories.publish_story")
