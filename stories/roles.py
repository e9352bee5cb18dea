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
