"""Carry each passage's flat attribution into an origin.

The old fields said only what kind of source a passage had and how the article
described it. Each becomes an origin: an article's own reporting (one per
outlet, or per article when it names none), the named person, the anonymous
source as that article introduced it (one per article and description), or a
second-hand report. Chains of relays cannot be recovered from the flat text:
editors add them; the old description is kept as the origin's label.
"""

from django.db import migrations


def _label(article, text):
    if article.outlet_id:
        return f"{article.outlet.name}{text}"
    headline = article.headline.rsplit(": ", 1)[-1]
    if len(headline) > 50:
        headline = headline[:49] + "…"
    return f"“{headline}”{text}"


def forwards(apps, schema_editor):
    Evidence = apps.get_model("stories", "Evidence")
    Origin = apps.get_model("stories", "Origin")
    made = {}

    def origin(key, **fields):
        if key not in made:
            made[key] = Origin.objects.create(**fields)
        return made[key]

    for evidence in Evidence.objects.select_related(
        "article__outlet", "attributed_person"
    ).order_by("pk"):
        article, described = evidence.article, evidence.attributed_to.strip()
        kind = evidence.attribution
        if kind == "named" and evidence.attributed_person_id:
            person = evidence.attributed_person
            found = origin(
                ("person", person.pk, described),
                kind="person",
                label=described or person.name,
                person=person,
            )
        elif kind == "anonymous":
            found = origin(
                ("anonymous", article.pk, described.casefold()),
                kind="anonymous",
                label=described or "an anonymous source",
                outlet=article.outlet,
                article=None if article.outlet_id else article,
            )
        elif kind in ("secondhand", "named"):
            found = origin(
                ("outlet", described.casefold() or article.pk),
                kind="outlet",
                label=described or "another outlet’s report",
            )
        else:
            key = ("reporting", "outlet", article.outlet_id) if article.outlet_id else None
            found = origin(
                key or ("reporting", "article", article.pk),
                kind="reporting",
                label=_label(article, "’s own reporting"),
                outlet=article.outlet,
                article=None if article.outlet_id else article,
            )
        Evidence.objects.filter(pk=evidence.pk).update(origin=found)


def backwards(apps, schema_editor):
    Evidence = apps.get_model("stories", "Evidence")
    Evidence.objects.update(origin=None)
    apps.get_model("stories", "EvidenceRelay").objects.all().delete()
    apps.get_model("stories", "Origin").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_origins_derivations_verdicts")]

    operations = [migrations.RunPython(forwards, backwards)]
