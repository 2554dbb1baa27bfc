"""Finding a symptom by searching the index: relevance on a playbook from another domain,
safe highlighting, the index kept in step with publishing, and what was searched for."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from diagnostics.content.models import SearchCount
from diagnostics.content.playbook import import_playbook
from diagnostics.content.playbook_schema import read_playbook
from diagnostics.content.search import normalise, not_found

pytestmark = pytest.mark.django_db
HOME_REPAIRS = Path(__file__).with_name("home_repairs.yaml")
HTMX = {"HX-Request": "true"}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's (pg_trgm)"
)


def publish(text, name="playbook.yaml"):
    return import_playbook(read_playbook(text.encode(), name), source=name)


@pytest.fixture
def home_repairs(db):
    publish(HOME_REPAIRS.read_text(), HOME_REPAIRS.name)


def first_result(client, words):
    """The key of the first symptom the index lists for `words`, or None."""
    response = client.get("/", {"q": words})
    assert response.status_code == 200
    found = response.context["found"]
    return found[0].key if found else None


# -- Relevance ---------------------------------------------------------------------------------

# Ten searches as people type them, and the symptom each should put first.
EXPECTED_FIRST = [
    ("no hot water", "boiler-no-hot-water"),
    ("boiler pressure dropping", "boiler-pressure-low"),
    ("radiator cold at the top", "radiator-cold-top"),
    ("toilet keeps running", "toilet-running"),
    ("dishwasher water in the bottom", "dishwasher-not-draining"),
    ("washing machine not spinning", "washer-not-spinning"),
    ("breaker tripping", "breaker-trips"),
    ("smoke alarm beeping", "smoke-alarm-chirping"),  # "beep" is only in its summary
    ("mould on windows", "condensation-windows"),
    ("sink blocked", "blocked-sink"),
]


@pytest.mark.parametrize(("words", "expected"), EXPECTED_FIRST)
def test_ten_searches_put_the_expected_symptom_first(client, home_repairs, words, expected):
    assert first_result(client, words) == expected


def test_a_title_match_ranks_above_a_summary_or_check_match(client, home_repairs):
    # "thermostat" is in one title, and in another symptom's check ("thermostatic mixer").
    found = [s.key for s in client.get("/", {"q": "thermostat"}).context["found"]]
    assert found[:2] == ["thermostat-not-responding", "shower-temperature-swings"]


def test_the_start_of_a_word_finds_it_as_someone_types(client, home_repairs):
    assert first_result(client, "dishwa") in {"dishwasher-not-draining", "dishwasher-dirty-dishes"}


def test_websearch_syntax_phrases_exclusions_and_or(client, home_repairs):
    def keys(words):
        return {s.key for s in client.get("/", {"q": words}).context["found"]}

    assert "radiator-cold-top" in keys('"cold at the top"')
    assert "radiator-cold-bottom" not in keys('"cold at the top"')
    assert "washer-leaking" not in keys("washing machine -leaks")
    assert {"doorbell-silent", "microwave-sparks"} <= keys("doorbell or microwave")


@on_postgresql
@pytest.mark.parametrize(
    ("words", "expected"),
    [("boilr presure", "boiler-pressure-low"), ("dishwahser", "dishwasher"),
     ("doorbel", "doorbell-silent"), ("thermostst", "thermostat-not-responding")],
)  # fmt: skip
def test_a_typo_still_finds_the_symptom_on_postgresql(client, home_repairs, words, expected):
    assert first_result(client, words).startswith(expected)


def test_a_search_that_matches_nothing_says_so_and_offers_every_symptom(client, home_repairs):
    response = client.get("/", {"q": "spaceship engine"})
    html = response.content.decode()
    assert "No symptom matches “spaceship engine”" in html
    assert 'href="/">see every symptom</a>' in html


# -- Highlighting ------------------------------------------------------------------------------


def test_matching_words_are_marked(client, home_repairs):
    html = client.get("/", {"q": "toilet running"}).content.decode()
    assert "<mark>Toilet</mark> keeps <mark>running</mark> after flushing" in html


def test_highlighting_cannot_inject_html(client):
    publish(
        """playbook: 1
title: T
categories:
  - key: c
    title: C
    symptoms:
      - key: script-in-title
        title: Export <script>alert(1)</script> fails
        summary: 'The <img src=x onerror=alert(2)> export & <b>report</b>'
        checks:
          - key: k
            title: Check the export.
"""
    )
    for words in ["export", "script", "<script>", "img onerror", '"><mark>', "b"]:
        html = client.get("/", {"q": words}).content.decode()
        assert "<script>alert" not in html
        assert "<img" not in html
        assert "<b>" not in html
    html = client.get("/", {"q": "export script"}).content.decode()
    assert (
        "<mark>Export</mark> &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
        in (html)
    )


# -- Visibility and keeping in step ------------------------------------------------------------

STAFF_ONLY = """playbook: 1
title: T
categories:
  - key: c
    title: C
    symptoms:
      - key: public-printer
        title: Printer jams
        checks: [{key: k, title: Open the tray.}]
      - key: internal-printer
        title: Printer firmware rollback
        visibility: staff
        checks: [{key: k, title: Roll back the firmware.}]
"""


def test_customers_never_find_staff_only_symptoms_but_agents_do(client, agent):
    publish(STAFF_ONLY)
    customer = Client()
    assert [s.key for s in customer.get("/", {"q": "printer"}).context["found"]] == [
        "public-printer"
    ]
    assert {s.key for s in client.get("/", {"q": "printer"}).context["found"]} == {
        "public-printer",
        "internal-printer",
    }
    assert customer.get("/", {"q": "firmware rollback"}).context["found"] == []


def test_the_index_follows_each_publish_and_retirement(client, home_repairs):
    assert first_result(client, "doorbell") == "doorbell-silent"
    text = HOME_REPAIRS.read_text()
    renamed = text.replace("Doorbell does not ring", "Door chime stays quiet").replace(
        "A wired or wireless doorbell stays silent.", "A wired or wireless chime stays silent."
    )
    publish(renamed)
    assert first_result(client, "doorbell") is None
    assert first_result(client, "chime quiet") == "doorbell-silent"
    start = renamed.index("      - key: microwave-sparks")
    end = renamed.index("      - key: extractor-hood-weak")
    publish(renamed[:start] + renamed[end:])  # microwave-sparks retired
    assert first_result(client, "microwave sparks") is None
    assert client.get("/symptoms/microwave-sparks/").status_code == 410
    publish(renamed)  # and back
    assert first_result(client, "microwave sparks") == "microwave-sparks"


# -- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    ['"', '"unclosed phrase', "-", "- - -", "or", "or or or", ":*", "a & b | !c", "(((",
     "'; DROP TABLE diagnostics_symptom; --", "NEAR(a b)", "title:boiler", "^boiler", "*",
     "ü", "日本語", "\u200b", "🔥 boiler", "x" * 200, "boiler " * 28],
)  # fmt: skip
def test_odd_searches_never_fail(client, home_repairs, words):
    response = client.get("/", {"q": words})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [("q=" + "x" * 201, "Keep the search under 200 characters"),
     ("q=boiler%1b", "control character"),
     ("q=boiler%0Apressure", "one line")],
)  # fmt: skip
def test_bad_searches_get_a_clear_message(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_invalid_utf8_in_the_address_gets_a_clear_message(client, home_repairs):
    response = client.get("/?q=%ff%fe%fd")
    assert response.status_code == 400
    assert "only as UTF-8 text" in response.content.decode()


# -- HTMX ----------------------------------------------------------------------------------


def test_with_htmx_the_results_update_alone_and_the_address_follows(client, home_repairs):
    response = client.get("/", {"q": "boiler"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<h1>" not in html
    assert 'id="search-status" class="count" aria-live="polite" hx-swap-oob="true"' in html
    assert response["HX-Replace-Url"] == "/?q=boiler"  # no Back step per pause
    assert client.get("/", {"q": ""}, headers=HTMX)["HX-Replace-Url"] == "/"


# -- What people searched for ------------------------------------------------------------------


def test_searches_are_counted_by_their_normalised_words_only(client, home_repairs):
    client.post("/search/seen/", {"q": "Spaceship  ENGINE!"})
    Client().post("/search/seen/", {"q": "spaceship engine"})
    client.post("/search/seen/", {"q": "boiler"})
    rows = {r.words: (r.searches, r.without_result) for r in SearchCount.objects.all()}
    assert rows == {"spaceship engine": (2, 2), "boiler": (1, 0)}
    assert not_found() == [("spaceship engine", 2)]


def test_keystrokes_are_not_counted_but_results_left_on_screen_are(client, home_repairs):
    for typed in ["sp", "spaces", "spaceship", "spaceship eng", "spaceship engine"]:
        response = client.get("/", {"q": typed}, headers=HTMX)
    assert not SearchCount.objects.exists()
    # The last results carry a beacon that reports them once they have stayed a moment.
    html = response.content.decode()
    assert 'hx-post="/search/seen/" hx-trigger="load delay:1500ms"' in html
    assert 'hx-vals=\'{"q": "spaceship engine"}\'' in html
    assert client.post("/search/seen/", {"q": "spaceship engine"}).status_code == 204
    assert not_found() == [("spaceship engine", 1)]
    client.post("/search/seen/", {"q": "boiler"})
    assert SearchCount.objects.get(words="boiler").without_result == 0


def test_the_beacon_refuses_a_get_and_ignores_bad_input(client, home_repairs):
    assert client.get("/search/seen/", {"q": "boiler"}).status_code == 405
    assert client.post("/search/seen/", {"q": "x" * 300}).status_code == 204
    assert client.post("/search/seen/", {"q": "bad\x1b"}).status_code == 204
    assert not SearchCount.objects.exists()


@pytest.mark.parametrize(
    "typed",
    ["login jo@example.com", "alice\ufe6bexample.com", "4111 1111 1111 1111",
     "4111  1111  1111  1111", "4111/1111/1111/1111", "4111_1111_1111_1111",
     "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
     "call +44 20 7946 0958", "order 12345678", "GB82 WEST 1234 5698 7654 32",
     "sk_live_abcdefghijklmnop", "john.doe @ example.com", "jane@localhost",
     "john.doe at example dot com", "mailto jane%example.com", "api key abcdefgh12345",
     "password hunter2secret", "sk live 4eC39HqLyjWDarjtT1zdp7dc", "4111x1111x1111x1111",
     "4111 one 1111 two 1111 three 1111"],
)  # fmt: skip
def test_a_search_holding_anything_personal_is_not_counted(client, home_repairs, typed):
    client.post("/search/seen/", {"q": typed})
    assert not SearchCount.objects.exists()


def test_one_client_s_searches_stop_being_counted_after_a_limit(client, home_repairs, settings):
    from diagnostics.content import views

    views.SEARCHES_COUNTED_PER_HOUR, before = 3, views.SEARCHES_COUNTED_PER_HOUR
    try:
        for _ in range(5):
            client.post("/search/seen/", {"q": "spaceship"})
    finally:
        views.SEARCHES_COUNTED_PER_HOUR = before
    assert SearchCount.objects.get().searches == 3
    assert client.get("/", {"q": "spaceship"}).status_code == 200  # the search still works


def test_normalising_folds_case_width_and_punctuation():
    assert normalise("  Ｗebhooks NOT—firing?! ") == "webhooks not firing"


# -- Bounded queries ---------------------------------------------------------------------------


def many_symptoms(n):
    symptoms = "\n".join(
        f"""      - key: boiler-fault-{i}
        title: Boiler fault {i}
        summary: The boiler shows fault {i}.
        checks:
          - key: reset
            title: Reset the boiler."""
        for i in range(n)
    )
    return (
        f"playbook: 1\ntitle: T\ncategories:\n  - key: c\n    title: C\n    symptoms:\n{symptoms}\n"
    )


@pytest.mark.parametrize("n", [5, 200])
def test_a_search_runs_the_same_queries_at_any_number_of_symptoms(
    client, django_assert_max_num_queries, n
):
    publish(many_symptoms(n))
    # The published revision (the shared page's key), the ranked symptoms (on SQLite: every
    # word, then any word unless the first found enough, then the symptoms themselves), the
    # matching checks when a title and summary do not match. Counting is the beacon's work.
    expected = 3 if connection.vendor == "postgresql" else 5
    with django_assert_max_num_queries(expected):
        response = client.get("/", {"q": "boiler"})
    assert len(response.context["found"]) == min(n, 50)


def test_a_search_still_being_typed_counts_as_every_word(client, home_repairs):
    found = client.get("/", {"q": "toilet kee"}).context["found"]
    assert found[0].key == "toilet-running"
    assert found[0].exact
    assert not [s for s in found[1:] if s.exact]


def test_when_nothing_has_every_word_those_with_some_are_not_called_exact(client, home_repairs):
    found = client.get("/", {"q": "toilet spaceship"}).context["found"]
    assert found[0].key == "toilet-running"
    assert not found[0].exact
    assert "some of your words" in client.get("/", {"q": "toilet spaceship"}).content.decode()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("dishwash", "dishwasher"), ("condensati", "condensation-windows"),
     ("thermosta", "thermostat-not-responding"), ("radiator cold at the to", "radiator-cold-top")],
)  # fmt: skip
def test_a_word_typed_past_its_stem_still_finds_it(client, home_repairs, typed, expected):
    assert first_result(client, typed).startswith(expected)


def test_a_search_that_leaves_words_out_is_not_counted(client, home_repairs):
    client.post("/search/seen/", {"q": "boiler -pressure -noise -lockout -hot -pilot -radiator"})
    client.post("/search/seen/", {"q": "-boiler"})
    assert not SearchCount.objects.exists()


def test_common_words_do_not_pull_in_every_symptom(client, home_repairs):
    found = client.get("/", {"q": "radiator cold at the top"}).context["found"]
    assert found[0].key == "radiator-cold-top"
    assert len(found) < 10  # of 40: "at" and "the" are in most of them
    assert client.get("/", {"q": "the"}).status_code == 200  # only common words: still a search


@on_postgresql
def test_near_misses_are_found_through_the_title_index_at_search_s_threshold():
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert cursor.fetchone()[0] == "0.5"
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'symptom_title_trgm_idx'")
        assert "gin (title gin_trgm_ops)" in cursor.fetchone()[0]


@pytest.mark.parametrize(
    "typed", ["password reset email not arriving", "error 500 on export", "node js at startup",
              "webhooks not firing", "2fa code rejected"],
)  # fmt: skip
def test_ordinary_searches_are_still_counted(client, home_repairs, typed):
    client.post("/search/seen/", {"q": typed})
    assert SearchCount.objects.get().words == normalise(typed)


def test_a_zero_width_space_does_not_split_a_word(client, home_repairs):
    assert normalise("boi\u200bler") == "boiler"
    assert first_result(client, "dish\u200bwasher").startswith("dishwasher")


def test_retention_forgets_search_counts_after_90_days():
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.privacy import retention

    today = timezone.localdate()
    SearchCount.objects.create(day=today - timedelta(days=91), words="old", searches=1)
    SearchCount.objects.create(day=today - timedelta(days=89), words="recent", searches=1)
    assert retention.run()["searches"] == 1
    assert list(SearchCount.objects.values_list("words", flat=True)) == ["recent"]


def test_the_results_page_counts_nothing_itself_and_carries_the_beacon(client, home_repairs):
    # So that it can be the same cached bytes for every visitor.
    html = client.get("/", {"q": "spaceship engine"}).content.decode()
    assert not SearchCount.objects.exists()
    assert 'hx-post="/search/seen/" hx-trigger="load delay:1500ms"' in html
