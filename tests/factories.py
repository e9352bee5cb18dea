"""Small builders for test data: real rows in the real database, nothing mocked."""

from stories.models import Article, Claim, Evidence, Outlet, Statement, Story
from stories.services import publishing

BODY = (
    "Justin Timberlake and Megan Thee Stallion appeared to get into a pointed exchange.\n\n"
    "Fans watching online speculated about the exchange. The exchange was brief."
)


def make_article(body=BODY, headline="A tense exchange", outlet="EW", **fields):
    outlet_obj = (
        Outlet.objects.get_or_create(name=outlet, slug=outlet.lower())[0] if outlet else None
    )
    return Article.objects.create(headline=headline, outlet=outlet_obj, body=body, **fields)


def make_evidence(article, quote, claim="The exchange was tense", **fields):
    claim_obj = claim if isinstance(claim, Claim) else Claim.objects.get_or_create(text=claim)[0]
    evidence = Evidence(claim=claim_obj, article=article, quote=quote, **fields)
    evidence.anchor(start=fields.get("start"))
    evidence.full_clean()
    evidence.save()
    return evidence


def make_story(headline="The exchange", published=True, statements=(), slug=None, user=None):
    """``statements`` is a list of (text, [evidence, ...]); a published story is
    published through the real service, so it has its first revision."""
    story = Story.objects.create(headline=headline, slug=slug or headline.lower().replace(" ", "-"))
    for position, (text, cited) in enumerate(statements, start=1):
        statement = Statement.objects.create(story=story, position=position, text=text)
        statement.evidence.set(cited)
    if published:
        publishing.publish_story(story, user)
        story.refresh_from_db()
    return story


def article_file(n, name=None):
    """(file name, UTF-8 bytes) of a distinct article file that names a person, as the
    importer reads it: headline, blank line, paragraphs, a byline."""
    text = (
        f"Council vote number {n}\n\n"
        f"Maria Lopez said on Tuesday that plan {n} for roads and schools would cost more.\n\n"
        f"The council meets again next week to settle item {n}.\n\n"
        "Written by Ann Lee\n"
    )
    return name or f"article-{n:04}.txt", text.encode("utf-8")
