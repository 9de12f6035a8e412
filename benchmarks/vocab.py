"""Word lists and sentence builders for the synthetic benchmark corpus.

Every word here is ASCII and free of the characters that would need quoting
in a YAML plain scalar (``: `` ``#`` ``,`` ``[`` ``]`` quotes), so a title can
sit bare in a front-matter list and its length in characters is its length in
bytes.
"""

from __future__ import annotations

import random
import re

SUBJECTS = (
    "futarchy", "prediction markets", "conditional token markets", "quadratic funding",
    "retroactive public goods funding", "reward models", "constitutional training",
    "the specification trap", "scalable oversight", "interpretability research",
    "collective deliberation", "liquid democracy", "token-weighted voting",
    "MetaDAO proposals", "decision markets", "automated market makers", "agent swarms",
    "language model evaluators", "preference aggregation", "mechanism designers",
    "onchain treasuries", "reputation systems", "citizen assemblies",
    "open-weight model releases", "capability evaluations", "red-teaming programs",
    "alignment taxes", "coordination failures", "knowledge commons", "peer review",
    "frontier labs", "regulators", "protocol governance", "staking mechanisms",
    "bonding curves", "information cascades", "crowd forecasts", "deliberative polling",
    "model distillation", "value learning", "static value specifications",
    "pluralistic alignment", "ownership coins", "launchpad auctions", "grant committees",
    "network states", "living agents", "claim graphs", "forecasting tournaments",
    "insurance markets", "public broadcasters", "clinical trial registries",
)

MODALS = (
    "can", "cannot", "will", "may", "could", "should", "must", "will eventually",
    "can only", "may quietly", "tend to", "reliably", "rarely", "structurally",
)

VERBS = (
    "enable", "undermine", "amplify", "constrain", "outperform", "reshape", "depend on",
    "erode", "stabilize", "fragment", "price", "reward", "concentrate", "distribute",
    "obscure", "reveal", "substitute for", "crowd out", "select for", "compound",
    "entrench", "decouple", "aggregate", "misprice", "internalize", "externalize",
    "outlast", "hollow out", "coordinate", "bootstrap",
)

OBJECTS = (
    "conditional ownership", "long-horizon incentives", "minority preferences",
    "the cost of coordination", "value drift", "deployment contexts",
    "epistemic diversity", "treasury allocation", "adversarial manipulation",
    "institutional trust", "public goods provision", "market liquidity",
    "model behavior under distribution shift", "the legitimacy of outcomes",
    "human oversight", "regulatory capture", "contributor retention",
    "the value of information", "tail risks", "shared situational awareness",
    "protocol revenue", "voter turnout", "expert disagreement", "labor markets",
    "research taste", "the speed of iteration", "honest reporting",
    "credible commitments", "collective memory", "the space of possible agreements",
    "downstream harms", "the incentives of builders", "early adopters",
    "the price of dissent", "capital formation", "scientific consensus",
)

CONNECTORS = (
    "because", "when", "unless", "as", "while", "since", "even when", "so",
    "which means", "only if", "as long as", "whereas", "until", "and therefore",
)

TAILS = (" at scale", " for now", " in turn", " by design", " in practice", " over time")

AUTHORS = (
    "Zeng", "Sorensen", "Massenkoff", "McCrory", "Doshi", "Hauser", "Spizzirri",
    "Klassen", "Gabriel", "Hanson", "Buterin", "Weyl", "Ostrom", "Page", "Hong",
    "Christiano", "Leike", "Bai", "Perez", "Ganguli", "Irving", "Landemore",
    "Tetlock", "Mellers", "Lalley", "Posner", "Ober", "Surowiecki", "Olson",
    "Edelman", "Wolfram", "Kleinberg", "Acemoglu", "Autor", "Brynjolfsson",
)

ORGS = (
    "Anthropic", "OpenAI", "DeepMind", "MetaDAO", "Gitcoin", "Optimism Foundation",
    "RAND", "Epoch AI", "METR", "UK AISI", "Ethereum Foundation", "Metaculus",
)

REPORT_KINDS = ("system card", "interpretability update", "risk report", "governance memo",
                "transparency report", "research note", "forum post")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

SETTINGS = ("small committees", "open markets", "frontier training runs", "DAO treasuries",
            "city budgets", "lab settings", "field deployments", "online forums")

RELATIONS = (
    "provides the mechanism this claim relies on",
    "challenges the scope of this claim with counter-evidence",
    "extends the argument to a neighbouring domain",
    "is the empirical base this claim generalizes from",
    "names the failure mode this claim predicts",
    "offers a competing explanation for the same observations",
    "applies the same logic to institutions rather than models",
    "shows where this breaks down at small scale",
)

_SLUG_DROP = re.compile(r"[^a-z0-9-]+")


def make_clause(rng: random.Random) -> str:
    """Return one ``subject modal verb object`` clause."""
    return f"{rng.choice(SUBJECTS)} {rng.choice(MODALS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"


def _grow_sentence(rng: random.Random, text: str, lo: int, hi: int) -> str:
    """Append clauses, then short tails, while the sentence is shorter than ``lo``."""
    for _ in range(16):
        if len(text) >= lo:
            break
        extra = f" {rng.choice(CONNECTORS)} {make_clause(rng)}"
        if len(text) + len(extra) > hi:
            extra = rng.choice(TAILS)
            if any(tail in text for tail in TAILS):  # one tail per title reads naturally
                continue
        if len(text) + len(extra) <= hi:
            text += extra
    return text


def make_sentence(rng: random.Random, lo: int, hi: int) -> str:
    """Return a lowercase-initial prose sentence whose byte length is in ``[lo, hi]``."""
    while True:
        text = _grow_sentence(rng, make_clause(rng), lo, hi)
        if lo <= len(text) <= hi:
            return text


def slugify(text: str) -> str:
    """Turn prose into a hyphen slug such as ``futarchy-enables-conditional-ownership``."""
    return _SLUG_DROP.sub("", text.lower().replace(" ", "-")).strip("-")


def make_citation(rng: random.Random) -> str:
    """Return one author-year citation in one of the styles seen in real source fields."""
    year = rng.randint(2018, 2026)
    first, second = rng.sample(AUTHORS, 2)
    style = rng.randrange(8)
    if style == 0:
        return f"{first} et al {year}"
    if style == 1:
        return f"{first} & {second} {year}"
    if style == 2:
        return f"{first} and {second} ({year})"
    if style == 3:
        return f"arXiv {rng.randint(2301, 2603)}.{rng.randint(1000, 29999):05d}"
    if style == 4:
        org, kind = rng.choice(ORGS), rng.choice(REPORT_KINDS)
        return f"{org} {kind} {rng.choice(MONTHS)} {year}"
    return f"{first} {year}"


def make_source_field(rng: random.Random) -> str:
    """Return a free-text ``source`` value with one to four citations."""
    if rng.random() < 0.05:
        return "original analysis"
    cites = [make_citation(rng) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
    if len(cites) >= 3 and rng.random() < 0.4:
        return f"{cites[0]}; convergent finding across {', '.join(cites[1:])}"
    return "; ".join(cites)


def make_prose_sentence(rng: random.Random) -> str:
    """Return one capitalized body sentence, sometimes with an inline citation."""
    clause = make_clause(rng)
    style = rng.randrange(4)
    if style == 0:
        text = f"{clause}, {rng.choice(CONNECTORS)} {make_clause(rng)}."
    elif style == 1:
        n = rng.randint(2, 40)
        text = f"{make_citation(rng)} found that {clause} in {n} of {n + rng.randint(1, 60)} cases."
    elif style == 2:
        text = f"in {rng.choice(SETTINGS)}, {clause} {rng.choice(CONNECTORS)} {make_clause(rng)}."
    else:
        text = f"{clause} ({make_citation(rng)})."
    return text[0].upper() + text[1:]


def make_sentence_pool(rng: random.Random, size: int) -> tuple[str, ...]:
    """Pre-build body sentences so that writing paragraphs costs one pick per sentence."""
    return tuple(make_prose_sentence(rng) for _ in range(size))
