"""Reference tables and regular expressions for citation extraction (kb.programs)."""

from __future__ import annotations

import re

# --- Reference tables --------------------------------------------------------------------------

# Display name -> canonical slug. Case-sensitive in text ("Meta" yes, "meta-analysis" no).
_ORGS: dict[str, str] = {
    "Anthropic": "anthropic", "OpenAI": "openai", "Google DeepMind": "deepmind", "DeepMind": "deepmind",
    "Google Research": "google", "Google Brain": "google-brain", "Meta AI": "meta", "Meta FAIR": "meta",
    "FAIR": "meta", "Meta": "meta", "Microsoft Research": "microsoft", "Microsoft": "microsoft",
    "METR": "metr", "ARC Evals": "metr", "Epoch AI": "epoch-ai", "RAND Corporation": "rand", "RAND": "rand",
    "MIRI": "miri", "Machine Intelligence Research Institute": "miri", "Redwood Research": "redwood-research",
    "Apollo Research": "apollo-research", "UK AISI": "uk-aisi", "UK AI Safety Institute": "uk-aisi",
    "UK AI Security Institute": "uk-aisi", "AI Security Institute": "uk-aisi", "US AISI": "us-aisi",
    "Center for AI Safety": "cais", "CAIS": "cais", "Future of Humanity Institute": "fhi", "FHI": "fhi",
    "GovAI": "govai", "Centre for the Governance of AI": "govai", "Alignment Research Center": "arc",
    "Conjecture": "conjecture", "EleutherAI": "eleutherai", "Hugging Face": "hugging-face", "xAI": "xai",
    "Mistral AI": "mistral", "DeepSeek": "deepseek", "Cohere": "cohere", "AI Impacts": "ai-impacts",
    "Open Philanthropy": "open-philanthropy", "Stanford HAI": "stanford-hai", "CSET": "cset",
    "OECD": "oecd", "NIST": "nist", "Pew Research Center": "pew", "Pew Research": "pew", "Pew": "pew",
    "Our World in Data": "our-world-in-data", "McKinsey": "mckinsey", "Goldman Sachs": "goldman-sachs",
    "World Bank": "world-bank", "IMF": "imf", "Federal Reserve": "federal-reserve", "Messari": "messari",
    "MetaDAO": "metadao", "a16z": "a16z", "Andreessen Horowitz": "a16z", "Future of Life Institute": "fli",
    "FLI": "fli", "Partnership on AI": "partnership-on-ai", "Allen Institute for AI": "ai2", "AI2": "ai2",
    "Scale AI": "scale-ai", "FAR AI": "far-ai", "FAR.AI": "far-ai", "Palisade Research": "palisade-research",
    "Goodfire": "goodfire", "Transluce": "transluce", "Eleos AI": "eleos-ai",
}
_ORG_KEYS = {name.casefold(): slug for name, slug in _ORGS.items()} | {s: s for s in _ORGS.values()}

# Capitalised words that are not programs: dates, venues, document words, labels, agents, models.
_STOP = frozenset("""
january february march april may june july august september october november december jan feb mar
apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday spring
summer autumn fall winter early mid late end circa since until before after during icml neurips nips
iclr acl emnlp naacl eacl coling aaai ijcai cvpr iccv eccv colm facct chi kdd www uai aistats colt corl
aies arxiv biorxiv medrxiv ssrn openreview nature science pnas jmlr tmlr cell lancet bmj nejm lesswrong
substack medium twitter youtube github wikipedia blog podcast forum source sources evidence extracted
extractor extraction synthesis analysis original author authors theseus see also cf in on at by from
as of the a an this that these those our my their its his her per via and or but for with between
about around through within version edition update updated accessed retrieved published posted
revised draft preprint paper papers report study survey post thread tweet essay note notes memo talk
keynote interview video lecture workshop conference proceedings journal volume vol issue page pages
chapter section figure table appendix data dataset claim claims musing musings belief beliefs position
map topics claude gpt chatgpt gemini llama grok copilot codex ai ml rl rlhf llm llms agi asi nlp api us
usa uk eu un ceo phd act observation observations conversation discussion internal unpublished personal
communication various multiple several many some most recent prior previous today yesterday week day
framework frameworks alignment models model agents agent systems system learning intelligence values
safety governance economics markets networks language mechanisms preferences feedback reasoning
benchmark benchmarks trends risks index et al abstract introduction conclusion conclusions methods
results summary overview background preface foreword acknowledgements wired economist guardian atlantic
times bloomberg reuters forbes verge vox axios politico wsj nyt ft newsletter magazine
""".split())
# Words that make a "... paper" title generic rather than a name ("Technical report", "White paper").
_GENERIC_TITLE = _STOP | frozenset("technical white working research annual final interim policy "
                                   "concept seminal landmark new same companion earlier later full".split())
_PARTICLES = frozenset("van von der den de del della des di da du dos das la le ten ter zu bin ibn".split())
_ASCII_FIX = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "Þ": "Th", "ı": "i"})
# Hosts whose first path segment names the program (an account), and hosts whose sub-domain does.
_ACCOUNT_HOSTS = frozenset("github.com gitlab.com x.com twitter.com medium.com huggingface.co "
                           "substack.com bsky.app youtube.com".split())
_ACCOUNT_SUFFIXES = (".substack.com", ".github.io", ".medium.com", ".wordpress.com", ".blogspot.com",
                     ".bsky.social", ".tumblr.com")
_GENERIC_PATH = frozenset("posts p watch channel c user users profile status orgs abs pdf".split())

# --- Regular expressions -----------------------------------------------------------------------

_LETTER = r"[^\W\d_]"  # any Unicode letter
_WORD = rf"{_LETTER}[\w\-]*(?:['’]{_LETTER}[\w\-]*)*"  # a word; inner apostrophes: O'Neil, Knuth's
_PARTICLE = r"(?i:van|von|der|den|de|del|della|des|di|da|du|dos|das|la|le|ten|ter|zu|bin|ibn)"
_NAME = rf"(?:{_PARTICLE}\s+){{0,3}}{_WORD}"  # a surname with its particles: "van der Berg"
_CAPNAME = rf"{_LETTER}[\w\-]*\.?"  # a given name or initial before a surname: "Simon", "J."
_ORG_ALT = "(?:" + "|".join(re.escape(n) for n in sorted(_ORGS, key=len, reverse=True)) + r")(?![\w\-])"
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_VENUE = r"(?:ICML|NeurIPS|NIPS|ICLR|ACL|EMNLP|NAACL|AAAI|IJCAI|CVPR|ICCV|FAccT|COLM|AIES|arXiv|Nature|Science|PNAS)\b"
_YEAR = r"""
    (?<![\w./\-])                       # not glued to a word, number, path or range
    (?P<year>(?:19|20)\d{2})            # the year itself
    (?:-[01]\d(?:-[0-3]\d)?             # an ISO date's month and day: 2025-11-03
      |[–\-](?:19|20)?\d{2})?           # or the end of a range: 2019-2021, 2019-21
    [a-z]?                              # a disambiguating letter: 2020a
    (?![\w]|[./\-–]\d)                  # not followed by more digits: 2003.12345 is an arXiv id
"""
_YEAR_RE = re.compile(_YEAR, re.X)

_LOWER_ORGS = "|".join(re.escape(n) for n in sorted(_ORGS, key=len, reverse=True) if n[0].islower())  # a16z, xAI
_DIRECT_RE = re.compile(rf"""
    (?<![\w'’\-@/.])                    # starts a word: not inside a word, handle, path or abbreviation
    (?=[^\W\d_a-z]|{_PARTICLE}\s|{_LOWER_ORGS})  # quick test: a name in a-z is never kept
    (?=(?P<all>                         # a lookahead, so that overlapping candidates are all seen
      (?P<name>{_ORG_ALT}|{_NAME})      # a known organisation, or a surname with its particles
      (?:['’](?!\w))?                   # a plural possessive: "Jones' 2019"
      (?:(?:\s*,\s*{_NAME}){{0,4}}\s*,?\s*(?:&|\band\b)\s*{_NAME}   # co-authors: ", B & C", " and C"
        |(?:\s*,\s*{_NAME}){{1,3}}(?=\s+et\.?\s*al\b))?             # or "A, B et al"
      (?:\s+et\.?\s*al\b\.?)?           # "et al" / "et al."
      \s*,?\s*                          # an optional comma before the date
      (?:{_VENUE}\s*,?\s*)?             # an optional venue outside parentheses: "NeurIPS 2017"
      (?:(?P<paren>[(\[])[^()\[\];\n]{{0,100}}?)?  # or "(" plus a short prefix: "(ICML ", "(DeepMind, "
      (?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?          # an optional month (and day): "June 2024"
      {_YEAR}                           # the year
      (?:\s*[)\]])?                     # a closing parenthesis right after the year
    ))""", re.X)

_ORG_RE = re.compile(rf"(?<![\w\-])(?P<org>{_ORG_ALT})")  # an organisation named anywhere

_HANDLE_RE = re.compile(rf"""
    (?<![\w@/.'’\-])                    # starts a word
    (?=(?P<all>
      (?:(?P<org>{_ORG_ALT})|(?P<given>(?:{_CAPNAME}\s+){{0,2}})(?P<sur>{_NAME}))  # a name ...
      \s*[(\[]\s*@(?P<h1>\w{{1,40}})\s*[)\]]         # ... followed by "(@handle)"
     |@(?P<h2>[A-Za-z0-9_]{{2,40}})\b                # or a bare @handle
    ))""", re.X)

_CAPWORD = r"[A-ZÀ-ÖØ-Þ][\w\-]*(?:['’]s)?"  # a capitalised title word, possibly possessive
_DOCUMENT_WORD = r"(?i:paper|report|framework|whitepaper|preprint|essay|study|memo|manifesto|proposal|agenda)\b"
_DOCUMENT_WORD_RE = re.compile(_DOCUMENT_WORD)  # a quick test: no document word, no named document
_PAPER_RE = re.compile(rf"""
    (?<![\w\-'’])                       # starts a word
    (?=(?P<all>
      (?:["“‘'](?P<quoted>[^"”’';]{{2,80}})["”’']    # a quoted title ...
        |(?P<title>{_CAPWORD}(?:\s+(?:(?:of|for|the|and|in|on|to|a|an|from|with|via|as)\s+)?{_CAPWORD}){{0,7}})
      )                                 # ... or capitalised words, small connectives allowed
      \s+{_DOCUMENT_WORD}
    ))""", re.X)                        # followed by a document word: "Full-Stack Alignment paper"

_LEAD_RE = re.compile(rf"""
    \s*(?:[-*•]\s+)?                    # an optional list bullet
    (?:(?i:sources?|evidence|see|cf\.?|via|from|per|also|and|plus)\s*:?\s+)*   # optional labels
    (?:(?i:interview|conversation|talk|podcast|chat)\s+(?:with|by)\s+)?       # "Interview with ..."
    (?:(?P<org>{_ORG_ALT})|(?P<given>(?:{_CAPNAME}\s+){{0,2}})(?P<sur>{_NAME}))  # the author or lab
    (?:\s*[(\[][^()\[\];]*[)\]])?       # an optional aside: "(@gwern)", "(gwern.net)"
    \s*,\s*                             # a comma
    (?P<title>[^,;()\[\]]*)             # the title (or whatever follows) up to the next comma or "("
    """, re.X)

_URL_HINT_RE = re.compile(r"/|www\.", re.I)  # a quick test: every URL_RE match holds one of these
URL_RE = re.compile(r"""
    (?<![\w@/.])(?:https?://|www\.)[^\s<>"'()\[\]]+     # scheme or www., up to space or bracket
   |(?<![\w@/.\-])(?:[a-z0-9\-]+\.)+                       # or a bare domain ...
    (?:com|org|net|io|ai|dev|co|edu|gov|uk|blog|me|pub|info|google)/[^\s<>"'()\[\]]*   # ... with a path
    """, re.X | re.I)

_ARXIV_HINT_RE = re.compile(r"(?i:arxiv)")  # a quick test: every ARXIV_RE match holds this
ARXIV_RE = re.compile(r"""
    (?i:arxiv)                          # "arXiv" in any case
    (?:\.org/(?:abs|pdf|html)/          # a URL: arxiv.org/abs/ID
      |\s*:\s*                          # or arXiv:ID
      |\s+(?i:preprint\s+)?(?:(?i:arxiv)\s*:\s*)?)   # or "arXiv ID", "arXiv preprint arXiv:ID"
    (?P<id>\d{4}\.\d{4,5}               # a new-style id: YYMM.NNNNN
      |[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})           # or an old-style id: hep-th/9901001
    (?:v\d+)?                           # a version, dropped from the key
    """, re.X)

DOI_RE = re.compile(r"""
    (?<![\w/.])                         # not inside a path or word
    (?:(?i:doi)\s*:?\s*)?               # an optional "doi:" / "DOI " prefix
    (?P<doi>10\.\d{4,9}/[^\s"<>;,]+)    # registrant "10.NNNN", then the suffix up to a separator
    """, re.X)

# Page, volume, issue and chapter numbers: masked so their numbers are never read as years.
_DETAIL_RE = re.compile(r"""
    \bpp?\.\s*\d+(?:\s*[-–]\s*\d+)?                              # "p. 12", "pp. 3-5"
   |\b(?:vol|no|nr|ch|chap|sec|fig|eq|art|para)\.\s*\d+           # "vol. 37", "no. 4", "ch. 8"
   |\b(?:vol|volume|issue|chapter|section|figure|table|page|pages)\s+\d+   # spelled out
   |\b\d+\(\d{1,3}\)                                             # volume(issue): "12(3)"
    """, re.X | re.I)
_SEGMENT_SEP_RE = re.compile(r"[;\n|]")
_URL_PARTS_RE = re.compile(r"""
    ^\s*(?:[a-z][a-z0-9+.\-]*://)?     # an optional scheme
    (?:[^@/\s]*@)?                     # optional user info
    (?P<host>[^/?#\s:]*)(?::\d+)?      # the host, an optional port
    (?P<path>[^?#\s]*)                 # the path, without query or fragment
    """, re.X | re.I)
_PATH_YEAR_RE = re.compile(r"(?:^|[/\-_])((?:19|20)\d{2})(?=$|[/\-_.])")
_ANY_YEAR_RE = re.compile(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)")
_ORG_WORD_RE = re.compile(r"\b(?:Team|Labs?|Institute|Foundation|Cent(?:er|re)|University|Group|Collective"
                          r"|Project|Initiative|Council|Inc|Ltd)\b")
_POSSESSIVE_RE = re.compile(r"(?<=\w)['’]s?$")  # a trailing possessive: "Knuth's", "Jones'"
_NOUN_SUFFIX_RE = re.compile(r"(?:tion|sion|ness|ment|ity|ism|ogy|ship|ics|sis)s?$")
