"""Finding a symptom in one's own words: published symptoms ranked by how well their title,
summary and checks match, with the matching words marked.

Both databases read the same query syntax (PostgreSQL's `websearch`: words, "a phrase",
-word to leave out, `or` between alternatives) and rank the same way: symptoms with every word
first, then (unless a phrase is quoted) those with any word, the last one also as the start
of a word for search as you type; title above summary above checks.

- PostgreSQL: a weighted `tsvector` on each symptom (GIN index), and trigram word similarity
  (`pg_trgm`) to the title, so "webhok" still finds "Webhooks not firing".
- SQLite: an FTS5 table with the Porter stemmer, ranked by BM25 with the same weights.

`reindex()` rebuilds either from the published content, in the transaction of every publish.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from diagnostics.content.models import (
    Check,
    SearchCount,
    Symptom,
    Visibility,
    sees_staff_only,
)
from diagnostics.counters import increment

CONFIG = "english"  # the playbook's language, for stemming and stop words (PostgreSQL)
LIMIT = 50  # results shown; past this the person refines the words
QUERY_MAX_LENGTH = 200
WORDS_MAX = 12  # words read from one query: more adds cost and no precision
# The trigram word similarity that counts as a near miss ("boilr presure" is 0.58 like
# "Boiler pressure", "dishwahser" 0.55 like "Dishwasher"). PostgreSQL's `%>` operator reads
# it from the connection: settings.py sets pg_trgm.word_similarity_threshold to this.
TRIGRAM_THRESHOLD = 0.5
FTS_TABLE = "diagnostics_symptom_search"
# Title, summary, checks: how much a match in each counts (BM25 weights; PostgreSQL ts_rank
# takes its own [D, C, B, A] weights below, in the same proportion).
WEIGHTS = (10.0, 4.0, 1.0)
PG_WEIGHTS = [0.1, 0.1, 0.4, 1.0]
WORD = re.compile(r"\w+")
COUNTED_WORD = re.compile(r"[^\W_]+")
# Words too common to tell symptoms apart (as PostgreSQL's English configuration drops them):
# SQLite's index keeps them, so "radiator cold at the top" would otherwise find every symptom
# with an "at" or a "the" among those with some of the words.
# fmt: off
STOP_WORDS = frozenset([
    "a", "about", "after", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can",
    "cannot", "could", "did", "do", "does", "doesn", "don", "for", "from", "had", "has", "have",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "no", "nor", "not", "of",
    "on", "or", "our", "s", "so", "such", "t", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "too", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "why", "will", "with", "you", "your",
])
# fmt: on
LONG_NUMBER = re.compile(r"\d{7,}")  # in counted words, digit groups joined
# What makes a search look personal, beyond what masking finds (it is only counted, so when in
# doubt it is not): an at sign, a dotted name (john.doe, example.com), an address spelled out
# ("jo at example dot com"), a long word mixing letters and digits (a key, a password), or
# many digits in all (a card or phone number broken up by letters or words).
PERSONAL = re.compile(
    r"@|[^\W\d_]\.[^\W\d_]|\bat\b.*\bdot\b"
    r"|\b(?=\w*\d)(?=\w*[^\W\d_])\w{12,}\b",
    re.IGNORECASE,
)
MANY_DIGITS = 10
SEARCH_COUNT_DAYS = 90  # search counts are kept this long (retention removes older days)
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")


@dataclass
class Query:
    """A search as typed, read into its parts."""

    text: str
    groups: list = field(default_factory=list)  # alternatives (`or`), each a list of terms
    excluded: list = field(default_factory=list)  # words after a minus
    phrases: bool = False  # something was quoted: then only exact matches are wanted

    @property
    def words(self):
        """Every wanted word that tells symptoms apart, in order, once: for the any-word
        fallback, trigrams and highlighting (all of them, when every one is common)."""
        seen = {}
        for group in self.groups:
            for term in group:
                for word in term.split():
                    seen.setdefault(word, None)
        telling = [word for word in seen if word not in STOP_WORDS]
        return telling or list(seen)

    def __bool__(self):
        return bool(self.groups)


def normalise(text):
    """The words of a search, as counted: lower case, compatibility forms folded, punctuation,
    underscores and operators dropped ("Webhooks  NOT firing!" and "webhooks not firing" are
    one)."""
    folded = unicodedata.normalize("NFKC", ZERO_WIDTH.sub("", text)).casefold()
    return " ".join(COUNTED_WORD.findall(folded)[:WORDS_MAX])[:QUERY_MAX_LENGTH]


def parse(text):
    """Read websearch syntax: words, "quoted phrases", -excluded words, `or`. Never fails:
    what is not understood is read as plain words."""
    text = unicodedata.normalize("NFKC", ZERO_WIDTH.sub("", text))[:QUERY_MAX_LENGTH]
    query, group, count = Query(text), [], 0
    for match in re.finditer(r'(-?)"([^"]*)"?|(-?)(\S+)', text):
        minus, phrase = (match[1], match[2]) if match[2] is not None else (match[3], match[4])
        words = WORD.findall(phrase.casefold())
        if not words or count >= WORDS_MAX:
            continue
        if match[2] is None and phrase.casefold() == "or" and group:
            query.groups.append(group)
            group = []
            continue
        count += len(words)
        query.phrases = query.phrases or match[2] is not None
        if minus:
            query.excluded.extend(words)
        else:
            group.append(" ".join(words))
    if group:
        query.groups.append(group)
    return query


def search(text, user=None, limit=LIMIT):
    """Published symptoms `user` may open that match `text`, best first, each with `rank`
    and `exact` (every word matched). Two queries at most, then one for matching checks."""
    query = parse(text)
    if not query:
        return []
    visible = Symptom.objects.visible_to(user)
    if connection.vendor == "postgresql":
        found = _postgresql(query, visible, limit)
    else:
        public_only = user is not None and not sees_staff_only(user)
        found = _sqlite(query, visible, limit, public_only)
    _matching_checks(found, query)
    return found


# -- PostgreSQL -------------------------------------------------------------------------------


def _postgresql(query, visible, limit):
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    every = Q(search_vector=SearchQuery(query.text, search_type="websearch", config=CONFIG))
    if not query.phrases and len(query.groups) == 1:
        # Every word, the last one also as the start of a word, as on SQLite: what someone is
        # still typing ("webhooks not fir") already counts as every word.
        *done, typing = query.words
        typed = " & ".join([*done, _tsquery_start(typing)])
        every |= Q(search_vector=SearchQuery(typed, search_type="raw", config=CONFIG))
    # Any word, each also as a prefix (`webh` finds "webhooks" as someone types).
    any_word = SearchQuery(
        " | ".join(_tsquery_start(word) for word in query.words), search_type="raw", config=CONFIG
    )
    near = " ".join(word for word in query.words if len(word) >= 3)  # "a" is like anything
    symptoms = visible.select_related("category").annotate(
        exact=ExpressionWrapper(every, output_field=BooleanField()),
        similar=TrigramWordSimilarity(Value(near), "title"),
        rank=ExpressionWrapper(
            Coalesce(SearchRank(F("search_vector"), any_word, weights=PG_WEIGHTS), 0.0)
            + F("similar"),
            output_field=FloatField(),
        ),
    )
    if query.phrases:  # a quoted phrase asks for exactly that
        symptoms = symptoms.filter(exact=True)
    else:
        # Each condition is one an index answers (the GIN index on the vector, and the trigram
        # index on titles, whose threshold the connection sets: see TRIGRAM_THRESHOLD), so the
        # database ranks only what matched instead of every symptom.
        found = Q(exact=True) | Q(search_vector=any_word)
        if near:
            found |= Q(title__trigram_word_similar=near)
        symptoms = symptoms.filter(found)
    if query.excluded:
        left_out = " | ".join(query.excluded)
        symptoms = symptoms.exclude(
            search_vector=SearchQuery(left_out, search_type="raw", config=CONFIG)
        )
    return list(symptoms.order_by(F("exact").desc(nulls_last=True), "-rank", "title")[:limit])


# -- SQLite -----------------------------------------------------------------------------------


def _fts_term(term, prefix=False):
    """One term as an FTS5 string: quoted, so nothing in it is read as syntax."""
    return '"' + term.replace('"', "") + '"' + ("*" if prefix else "")


def word_starts(word):
    """What a word being typed may be the start of. The index holds stems ("notif" for
    "notifications"), so a start typed past the stem ("notifica") would find nothing: a
    shorter start is tried beside it."""
    if len(word) < 6:
        return [word]
    return [word, word[: len(word) - 3]]


def _fts_start(word):
    starts = [_fts_term(start, prefix=True) for start in word_starts(word)]
    return starts[0] if len(starts) == 1 else "(" + " OR ".join(starts) + ")"


def _fts_every(query):
    """The FTS5 expression for websearch semantics: all terms of a group, any group; a
    group's last word also as the start of a word."""
    groups = []
    for group in query.groups:
        group = [t for t in group if t not in STOP_WORDS] or group  # phrases keep theirs
        terms = [_fts_term(t) for t in group[:-1]]
        last = group[-1]
        terms.append(_fts_term(last) if " " in last else _fts_start(last))
        groups.append("(" + " AND ".join(terms) + ")")
    return " OR ".join(groups)


def _fts_any(query):
    return " OR ".join(_fts_start(word) for word in query.words)


def _tsquery_start(word):
    starts = [f"{start}:*" for start in word_starts(word)]
    return starts[0] if len(starts) == 1 else "(" + " | ".join(starts) + ")"


def _sqlite(query, visible, limit, public_only):
    """Symptoms with every word, then (up to `limit`, and unless a phrase was quoted) those
    with any word, each by BM25."""
    left_out = " OR ".join(_fts_term(word) for word in query.excluded)
    ranked = {}
    expressions = [_fts_every(query)] if query.phrases else [_fts_every(query), _fts_any(query)]
    for i, expression in enumerate(expressions):
        if left_out:
            expression = f"({expression}) NOT ({left_out})"
        for pk, score in _fts_match(expression, limit, public_only):
            ranked.setdefault(pk, score)
        if i == 0:
            exact = set(ranked)
        if len(ranked) >= limit:
            break
    symptoms = visible.select_related("category").in_bulk(list(ranked))
    found = []
    for pk, score in ranked.items():
        if pk in symptoms:
            symptom = symptoms[pk]
            symptom.rank, symptom.exact = -score, pk in exact
            found.append(symptom)
    return found[:limit]


def _fts_match(expression, limit, public_only):
    sql = (
        f"SELECT rowid, bm25({FTS_TABLE}, %s, %s, %s) AS score FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s" + (" AND visibility = %s" if public_only else "") +
        " ORDER BY score LIMIT %s"
    )  # fmt: skip
    with connection.cursor() as cursor:
        public = [Visibility.PUBLIC.value] if public_only else []
        cursor.execute(sql, [*WEIGHTS, expression, *public, limit])
        return cursor.fetchall()


# -- Keeping the index in step ----------------------------------------------------------------


def reindex():
    """Rebuild the search index from the published content (inside a publish's transaction,
    so searches see the new content exactly when everyone else does). Two statements."""
    if connection.vendor == "postgresql":
        _reindex_postgresql()
    else:
        _reindex_sqlite()


def _checks_text_sql(symptom_column):
    return (
        "(SELECT COALESCE(string_agg(c.title || ' ' || c.help, ' '), '') "
        if connection.vendor == "postgresql"
        else "(SELECT COALESCE(group_concat(c.title || ' ' || c.help, ' '), '') "
    ) + (f"FROM {Check._meta.db_table} c WHERE c.symptom_id = {symptom_column} AND c.published)")


def _reindex_postgresql():
    table = Symptom._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET search_vector = NULL WHERE NOT published")
        cursor.execute(
            f"UPDATE {table} s SET search_vector = "
            "setweight(to_tsvector(%s::regconfig, s.title), 'A') || "
            "setweight(to_tsvector(%s::regconfig, s.summary), 'B') || "
            f"setweight(to_tsvector(%s::regconfig, {_checks_text_sql('s.id')}), 'C') "
            "WHERE s.published",
            [CONFIG, CONFIG, CONFIG],
        )


def _reindex_sqlite():
    table = Symptom._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, checks, visibility) "
            f"SELECT s.id, s.title, s.summary, {_checks_text_sql('s.id')}, s.visibility "
            f"FROM {table} s WHERE s.published"
        )


# -- Showing the matches ----------------------------------------------------------------------


def _stem(word):
    """Enough of a word to find its other forms in text ("firing" for "fires")."""
    return word if len(word) <= 4 else word[: max(3, len(word) - 2)]


def highlighter(query):
    """A regex finding the query's words (and their other forms) in text, or None."""
    words = sorted({_stem(word) for word in query.words}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)


def highlight(text, pattern):
    """`text` escaped, with each match of `pattern` in <mark>: safe to show as HTML."""
    if pattern is None:
        return escape(text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


MARKDOWN_MARKS = re.compile(r"[*_`#>|]+|\]\([^)]*\)|\[")


def excerpt(text, pattern, width=160):
    """About `width` characters of Markdown `text` around its first match, as plain text."""
    text = " ".join(MARKDOWN_MARKS.sub("", text).split())
    match = pattern.search(text) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + width
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _matching_checks(symptoms, query):
    """Give each symptom its highlighted `title_html` and `summary_html_excerpt`, and
    `matched_check` (the highlighted title of its first published check mentioning a word)
    when its title and summary do not: one query, none when they all do."""
    pattern = highlighter(query)
    for symptom in symptoms:
        symptom.title_html = highlight(symptom.title, pattern)
        symptom.summary_html_excerpt = highlight(excerpt(symptom.summary, pattern), pattern)
        symptom.matched_check = ""
    wanting = {s.pk: s for s in symptoms if pattern and not pattern.search(s.title + s.summary)}
    if not wanting:
        return
    checks = Check.objects.published().filter(symptom_id__in=wanting).order_by("position")
    for symptom_id, title, help_text in checks.values_list("symptom_id", "title", "help"):
        symptom = wanting[symptom_id]
        if not symptom.matched_check and pattern.search(f"{title} {help_text}"):
            symptom.matched_check = highlight(title, pattern)


# -- Counting what people look for ------------------------------------------------------------


def count(text, found):
    """Count one search of `text` today by its normalised words, and whether it `found`
    anything. A search that leaves words out (-word) is not counted: its words alone would
    read as a search that found nothing. Nor is one that may hold anything personal (see
    `looks_personal`), in any spelling NFKC folds. Two queries."""
    folded = unicodedata.normalize("NFKC", ZERO_WIDTH.sub("", text))
    words = normalise(folded)
    if not words or parse(folded).excluded or looks_personal(folded, words):
        return
    counts = {"searches": 1, "without_result": 0 if found else 1}
    increment(SearchCount, {"day": timezone.localdate(), "words": words}, counts)


def looks_personal(folded, words):
    """Whether a search (NFKC-folded, and as its counted words) may hold something about a
    person: what masking would remove, or what PERSONAL and the digit limits catch."""
    from diagnostics.privacy.masking import mask

    return (
        mask(folded) != folded
        or mask(words) != words
        or PERSONAL.search(folded) is not None
        or LONG_NUMBER.search(re.sub(r"(?<=\d) (?=\d)", "", words)) is not None
        or sum(character.isdigit() for character in folded) >= MANY_DIGITS
    )


def not_found(days=None, limit=20):
    """The most frequent searches that found nothing, as (words, times), in the SearchCount
    rows `days` (all of them by default): one query."""
    rows = (days if days is not None else SearchCount.objects.all()).filter(without_result__gt=0)
    return list(
        rows.values("words")
        .annotate(times=Sum("without_result"))
        .order_by("-times", "words")
        .values_list("words", "times")[:limit]
    )
