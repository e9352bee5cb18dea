"""Articles as they really come, built by the tests themselves: saved news pages shaped like
real ones, ninjs items, zips of them. Shared by the reader's unit tests and the command's and
the admin's tests."""

import io
import json
import struct
import zipfile
from datetime import date
from html import escape

HEADLINE = "Storm floods the harbour town"
BYLINE = "Maria Lopez"
OUTLET = "The Coastal Herald"
CANONICAL = "https://herald.example/news/2024/03/storm-floods-harbour"
PUBLISHED = date(2024, 3, 5)
PARAGRAPHS = [
    "Heavy rain and a spring tide flooded the lower streets of the harbour town on Tuesday "
    "night, forcing dozens of families to leave their homes before dawn.",
    "The fire brigade said the water rose faster than at any time since the floods of 1987, "
    "and that two fishing boats had broken free of their moorings.",
    "\u201cWe have never seen the quay go under like this,\u201d said harbour master Tom Reyes, "
    "who has worked at the port for thirty years.",
    "The council has opened the school gym as a shelter and asked residents to avoid the "
    "seafront until the tide turns on Wednesday afternoon.",
]
BODY = "\n\n".join(PARAGRAPHS)

# Every piece of the page that is not the article; none of it may reach the body.
BOILERPLATE = {
    "cookie banner": "Accept all cookies",
    "cookie notice": "We use cookies to improve your experience",
    "navigation": "Weather",
    "advert in the article": "SuperPhone",
    "share buttons": "Share on Facebook",
    "related links": "Council approves new sea wall budget",
    "newsletter box": "Subscribe to our newsletter",
    "comment": "a disgrace to the whole council",
    "sidebar": "Mayor resigns after budget row",
    "sidebar advert": "Cheap flights to the sun",
    "footer": "All rights reserved",
    "footer links": "Privacy policy",
    "the headline above the article": HEADLINE,
    "the byline line": "By Maria",
}


def news_page(
    *,
    headline=HEADLINE,
    paragraphs=PARAGRAPHS,
    json_ld=True,
    og=True,
    canonical=True,
    charset="utf-8",
):
    """A saved news page: JSON-LD NewsArticle, og: and article: tags, a canonical link, a
    byline element, navigation, a cookie banner, an advert inside the article, share
    buttons, related links, a newsletter box, comments, a sidebar and a footer."""
    head = [f'<meta charset="{charset}">', f"<title>{escape(headline)} | {OUTLET}</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{CANONICAL}">')
    if og:
        head += [
            f'<meta property="og:title" content="{escape(headline)}">',
            f'<meta property="og:site_name" content="{OUTLET}">',
            # og:url often carries tracking parameters; the canonical link is the address.
            f'<meta property="og:url" content="{CANONICAL}?utm_source=share">',
            '<meta property="og:type" content="article">',
            '<meta property="article:published_time" content="2024-03-05T08:30:00+00:00">',
        ]
    if json_ld:
        metadata = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": headline,
            "datePublished": "2024-03-05T08:30:00+00:00",
            "dateModified": "2024-03-07T10:00:00+00:00",  # not the publication date
            "author": [{"@type": "Person", "name": BYLINE}],
            "publisher": {"@type": "Organization", "name": OUTLET},
            "mainEntityOfPage": CANONICAL,
        }
        head.append(f'<script type="application/ld+json">{json.dumps(metadata)}</script>')
    first, rest = paragraphs[:2], paragraphs[2:]
    article = (
        "".join(f"<p>{escape(p)}</p>" for p in first)
        + '<div class="ad-slot advertisement">Advertisement: Buy the new SuperPhone today</div>'
        + "".join(f"<p>{escape(p)}</p>" for p in rest)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head>{"".join(head)}</head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience
on our site. <button>Accept all cookies</button></p></div>
<header class="site-header"><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a>
</li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
</header>
<main><article>
<header><h1>{escape(headline)}</h1>
<div class="byline">By <a rel="author" class="author" href="/authors/maria-lopez">{BYLINE}</a>
</div><time datetime="2024-03-05T08:30:00Z">5 March 2024</time></header>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<div class="article-body">{article}</div>
<aside class="related-links"><h2>Related</h2><ul><li><a href="/a">Council approves new sea
wall budget</a></li><li><a href="/b">Ten photos of the winter storms</a></li></ul></aside>
<div class="newsletter"><p>Subscribe to our newsletter for the top stories every morning.</p>
</div>
</article>
<section class="comments" id="comments"><h3>Comments</h3><div class="comment"><p>This is
what happens when nobody maintains the sea wall, a disgrace to the whole council!!!</p></div>
</section>
</main>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/c">Mayor resigns after budget
row</a></li><li><a href="/d">Ferry timetable changes this spring</a></li></ul>
<div class="ad">Sponsored: Cheap flights to the sun</div></aside>
<footer><p>\u00a9 2024 {OUTLET}. All rights reserved.</p><a href="/privacy">Privacy policy</a>
<a href="/terms">Terms of use</a></footer>
</body></html>""".encode(charset)


BARE_HEADLINE = "Library reopens after two-year renovation"
BARE_PARAGRAPHS = [
    "The town library reopened its doors on Saturday after a renovation that took two years "
    "and cost more than the council had planned.",
    "Readers queued from eight in the morning to see the new reading room, which now has space "
    "for twice as many desks as before.",
    "The librarian said the building would stay open until nine in the evening on weekdays, an "
    "hour later than before the works began.",
]


def bare_page():
    """A page with no metadata at all: no <head>, no title, no og: tags, no JSON-LD, no
    canonical link and no date; only a heading, a byline line, a menu and a footer."""
    paragraphs = "".join(f"<p>{p}</p>" for p in BARE_PARAGRAPHS)
    return f"""<html><body>
<div class="menu"><a href="/">Home</a> | <a href="/local">Local</a> | <a href="/contact">
Contact us</a></div>
<div class="content"><h1>{BARE_HEADLINE}</h1><p class="byline">By John Smith</p>
{paragraphs}</div>
<div class="footer">Copyright Town News. Write to news@example.org</div>
</body></html>""".encode()


NINJS_HEADLINE = "Ferry service suspended as storm hits the coast"
NINJS_PARAGRAPHS = [
    "All ferries between the harbour and the islands were cancelled on Tuesday as winds "
    "reached ninety kilometres an hour.",
    "The operator said crossings would resume once the harbour master judged the sea safe.",
]


def ninjs(**fields):
    """An IPTC ninjs 1.x text item, with ``fields`` added or replacing its own."""
    item = {
        "uri": "https://wire.example/items/2024/ferry-suspended",
        "type": "text",
        "versioncreated": "2024-03-05T23:40:00-05:00",
        "headline": NINJS_HEADLINE,
        "byline": "Sam Okafor",
        "copyrightholder": "Wire Agency",
        "body_text": "\n\n".join(NINJS_PARAGRAPHS),
    }
    item.update(fields)
    return json.dumps({k: v for k, v in item.items() if v is not None}).encode()


def zip_of(members, compression=zipfile.ZIP_DEFLATED):
    """A zip's bytes; ``members`` maps names (or ZipInfo) to bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patched_zip(data, *, flags=None, file_size=None):
    """A one-member zip with its headers rewritten as a forger would: the general-purpose
    flags (0x1 means encrypted) or the unpacked size the headers declare."""
    raw = bytearray(data)
    central = raw.rfind(b"PK\x01\x02")
    if flags is not None:
        struct.pack_into("<H", raw, 6, flags)  # local header
        struct.pack_into("<H", raw, central + 8, flags)
    if file_size is not None:
        struct.pack_into("<I", raw, 22, file_size)
        struct.pack_into("<I", raw, central + 24, file_size)
    return bytes(raw)


def corrupt_packed_data(data):
    """The zip with the middle of its first member's packed bytes overwritten: unpacking it
    fails, so a refusal that names something else was decided without unpacking."""
    raw = bytearray(data)
    name_length, extra_length = struct.unpack_from("<HH", raw, 26)
    start = 30 + name_length + extra_length
    packed = struct.unpack_from("<I", raw, 18)[0]
    middle = start + packed // 2
    raw[middle : middle + 16] = b"\xff" * 16
    return bytes(raw)
