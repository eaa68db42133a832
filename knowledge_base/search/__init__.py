"""Search that understands what the customer said, in Russian, on PostgreSQL and on SQLite.

- `words`: a query becomes terms (Snowball stems, PostgreSQL's stop words, the agent's framing
  words dropped); how a text matches them (`Match`: terms contained, how many in the title).
- `lexicon`: misspelt words corrected to the nearest words of the base (trigram similarity).
- `articles`: articles ranked by one prepared statement over a bounded candidate set on
  PostgreSQL (GIN indexes on the title and full vectors), in Python on SQLite.
- `answers`: bridges, objections and closing phrases, kept per process and matched in Python.
- `unified`: one ranked list of the four kinds; `snippets`: highlighted titles and snippets.
- `version`: when the per-process copies are rebuilt.

Queries are reduced to word tokens first, so quotes, operators and SQL never reach a parser.
"""

from knowledge_base.search.lexicon import lexicon_words
from knowledge_base.search.unified import Hit, Result, search
from knowledge_base.search.words import (
    ERR_QUERY_TOO_LONG,
    MAX_QUERY_LENGTH,
    STOP_WORDS,
    Query,
    QueryTooLong,
    parse,
    stem,
    tokens,
    words_of,
)

__all__ = [
    "ERR_QUERY_TOO_LONG",
    "MAX_QUERY_LENGTH",
    "STOP_WORDS",
    "Hit",
    "Query",
    "QueryTooLong",
    "Result",
    "lexicon_words",
    "parse",
    "search",
    "stem",
    "tokens",
    "words_of",
]
