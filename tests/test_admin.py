import re
import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_explore(admin_client):
    call_command("loaddata", "seed_articles.json", verbosity=0)
    r = admin_client.get(reverse("admin:stories_claim_add"))
    html = r.content.decode()
    print(sorted(set(re.findall(r'name="([^"]+)"', html))))
    r = admin_client.get(reverse("admin:stories_story_add"))
    html = r.content.decode()
    print(sorted(set(re.findall(r'name="([^"]+)"', html))))
    r = admin_client.get("/admin/autocomplete/?app_label=stories&model_name=article&field_name=people&term=Meg")
    print(r.status_code, r.content[:300])
    assert 0
