"""Bank lint: checks of what the questions *say* (stems, options, trap feedback, explanations), not of their keys.

The keys are proven against live Keras by :mod:`quizbank.validate`; this module checks the text around them, over
many seeds of every generator, without Keras.  Every rule is general (it reads the question, never a list of
generator ids), so it also catches defects in generators written after it.  The checks:

``trap_direction``
    A trap's feedback must describe the slip that produced its value, in the words of this question: an
    "add"/"forgot" feedback on a value *above* the key of a count question (the student added something, so the
    feedback must say so), "times fewer" feedback on a stem that asks "how many times more", feedback about a
    quantity the stem does not ask (the receptive field in a parameter question), a Keras layer the stem does not
    contain, and one feedback text attached to two different wrong values or options of the same question.
``comparisons``
    A comparison word ("more", "fewer", "faster", "cheaper", …) in an explanation or feedback with numbers beside it
    must agree with them: ``A … more … than B``, ``cheaper (A vs B)``, ``… slower than the rule (A vs B)``,
    ``(B − A)/B = X %`` of a "percent fewer".  A "… than …" comparison with numbers close before it that none of
    these forms can verify is reported too: write the numbers beside the word (``base.compared`` does).
``distinct_keys``
    Fewer than 3 distinct keys over the seeds of a numeric generator at one difficulty, or fewer than 3 distinct
    option sets for a choice generator (the same question at every seed).
``difficulty``
    A difficulty-3 stem that also occurs at difficulty 1.
``options``
    Options identical after normalisation; two wrong options with the same named trap and feedback (the same
    misconception twice); a key that is the unique longest or shortest option by a wide margin at most seeds; a
    key that is the only option sharing a visible pattern (its first number, first word, …) at most seeds.
``grammar``
    Templating errors: "1 rows", "a 8×8" / "an 7×7", "2th", "(s)", "≈ 0.00", an ellipsis that hides no term
    ("1 + 2 + … + 4"), double spaces, doubled words, "= 2 = 2".
``named_facts``
    A named architecture detail that disagrees with :mod:`models.facts`: a GoogLeNet Inception module's input size
    and widths, a ViT configuration's width, a DenseNet block's layer count, an EfficientNet's scaling
    coefficients, where ResNet v1 / v1.5 put the stride, a parameter or MAC figure quoted for a named model.
``answer_in_stem``
    The key printed in the stem (beyond the input sizes), or a format example ("e.g. `4.09e9`") that is the answer.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from models.facts import VARIANTS

from .schema import AnyQuestion

CHECKS = (
    "trap_direction",
    "comparisons",
    "distinct_keys",
    "difficulty",
    "options",
    "grammar",
    "named_facts",
    "answer_in_stem",
)


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"


# ------------------------------------------------------------------ text helpers

_LATEX = [
    (r"\\cdot", "·"),
    (r"\\times", "×"),
    (r"\\approx", "≈"),
    (r"\\le\b", "≤"),
    (r"\\ge\b", "≥"),
    (r"\\(?:dots|ldots|cdots)", "…"),
    (r"\\%", "%"),
    (r"\\[,;!: ]", " "),
    (r"\\(?:left|right|lfloor|rfloor|lceil|rceil|mathrm|partial|sum|frac|sqrt|text|mathbf|qquad|quad)\b", " "),
    (r"\\begin\{pmatrix\}.*?\\end\{pmatrix\}", " M "),
]


_LATEX_RE = [(re.compile(pat, re.S), rep) for pat, rep in _LATEX]


@functools.lru_cache(maxsize=65536)
def plain(text: str) -> str:
    """Markdown + LaTeX → plain text for the rules: ``$3\\cdot3$`` → ``3·3``, no ``$``, ``*`` or backticks."""
    for pat, rep in _LATEX_RE:
        text = pat.sub(rep, text)
    return re.sub(r"[$*`{}]", "", text)


_NUM = re.compile(r"(?<![\w.,^/])(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w,]\d|\.\d)")


def numbers(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in _NUM.findall(text)]


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _texts(q: AnyQuestion) -> list[tuple[str, str]]:
    """Every text of a question a student reads, with its place."""
    out = [("stem", q.stem), ("explanation", q.explanation)]
    for o in getattr(q, "options", None) or []:
        out += [(f"option {o.id}", o.text), (f"feedback {o.id}", o.feedback)]
    for t in getattr(q, "traps", None) or []:
        out.append((f"trap {t.trap}", t.feedback))
    return out


def _is_choice(q: AnyQuestion) -> bool:
    return q.kind in ("multiple_choice", "multi_select")


def _numeric_key(q: AnyQuestion) -> float | None:
    if q.kind == "numeric":
        return float(q.key)  # type: ignore[arg-type]
    if q.kind == "multiple_choice":  # a numeric choice: every option is a number
        o = next(o for o in q.options if o.correct)  # type: ignore[union-attr]
        if isinstance(o.value, int | float) and not isinstance(o.value, bool) and _is_number_text(o.text):
            return float(o.value)
    return None


def _is_number_text(text: str) -> bool:
    return re.fullmatch(r"\s*-?[\d,]*\.?\d+\s*(%|×|[kMG])?\s*", plain(text)) is not None


def _wrong_values(q: AnyQuestion) -> list[tuple[str, str, Any, str]]:
    """(place, trap id, value, feedback) of every wrong value with a named trap."""
    out: list[tuple[str, str, Any, str]] = []
    for t in getattr(q, "traps", None) or []:
        out.append((f"trap {t.trap}", t.trap, t.value, t.feedback))
    for o in getattr(q, "options", None) or []:
        if not o.correct and o.trap:
            out.append((f"option {o.id} ({o.trap})", o.trap, o.value, o.feedback))
    return out


# ------------------------------------------------------------------ trap_direction

# the feedback tells the student something is missing from their answer
_OMISSION = re.compile(
    r"\b(forgot|forgotten|forget|left out|leaves? out|leaving \w+ out|omitted|missing|so add|add (?:C_out|C_mid|the|one|"
    r"its|a bias|n_out|β|γ)|must add|don't forget|do not forget)\b",
    re.I,
)
# … or that their answer has something too many
_EXCESS = re.compile(
    r"\b(added|adding|do not add|don't add|counted twice|double[- ]counted|has no bias|have no bias|no bias to add|"
    r"not counted|too many|extra)\b",
    re.I,
)
_ASKS_COUNT = re.compile(r"\bhow many\b(?! times| percent)", re.I)
_FORMS = {
    "times fewer": re.compile(r"times \**(fewer|smaller|less)\b", re.I),
    "times more": re.compile(r"times \**(more|larger|bigger)\b", re.I),
    "percent fewer": re.compile(r"percent(?:age)?\s+\**fewer\b|% fewer", re.I),
    "percent more": re.compile(r"percent(?:age)?\s+\**more\b|% more", re.I),
}
_QUOTES_QUESTION = re.compile(r"question asks|'how many|“how many|the question", re.I)
_SUBJECTS = {  # a formula for the quantity in the feedback, and how a stem asks for it
    "receptive field": (re.compile(r"\bRF\s*=|\bRF 1 \+"), re.compile(r"receptive field|\bRF\b", re.I)),
    "number of patches": (re.compile(r"number of patches is", re.I), re.compile(r"how many (tokens|patches)", re.I)),
}
_LAYER_CALL = re.compile(
    r"\b((?:Conv[123]D|SeparableConv2D|DepthwiseConv2D|MaxPooling[12]D|AveragePooling[12]D|Dense|ZeroPadding2D)"
    r"\([^()]*\))"
)


def check_trap_direction(q: AnyQuestion) -> list[Finding]:
    out: list[Finding] = []
    key = _numeric_key(q)
    stem = plain(q.stem)
    asks_count = bool(_ASKS_COUNT.search(stem))
    seen: dict[str, Any] = {}
    for place, _trap, value, feedback in _wrong_values(q):
        fb = plain(feedback)
        where = f"{q.uid} {place}"
        # the same feedback for two different wrong answers describes at most one of the slips
        if feedback in seen and seen[feedback] != value:
            out.append(Finding("trap_direction", where, f"same feedback as for value {seen[feedback]!r}: {fb[:90]}"))
        seen.setdefault(feedback, value)
        num = isinstance(value, int | float) and not isinstance(value, bool)
        if key is not None and num and asks_count and value != key:
            omits, excess = _OMISSION.search(fb), _EXCESS.search(fb)
            if omits and not excess and value > key:
                out.append(
                    Finding(
                        "trap_direction",
                        where,
                        f"feedback says something is missing ({omits.group(0)!r}) but {value} exceeds the key {key}",
                    )
                )
            if excess and not omits and value < key:
                out.append(
                    Finding(
                        "trap_direction",
                        where,
                        f"feedback says something is extra ({excess.group(0)!r}) but {value} is below the key {key}",
                    )
                )
        # the question form the feedback quotes must be the stem's
        for form, pat in _FORMS.items():
            if pat.search(fb) and (_QUOTES_QUESTION.search(fb) or form.startswith("percent")):
                if not pat.search(stem):
                    out.append(Finding("trap_direction", where, f"feedback speaks of '{form}', the stem does not"))
        if key is not None and "a number above 1" in fb and key <= 1:
            out.append(Finding("trap_direction", where, f"feedback says the answer is above 1, the key is {key}"))
        # a wrong number's feedback must work out the quantity the stem asks
        for subject, (in_feedback, in_stem) in _SUBJECTS.items():
            if num and in_feedback.search(fb) and not in_stem.search(stem):
                out.append(
                    Finding("trap_direction", where, f"feedback works out the {subject}, the stem does not ask it")
                )
        # a layer of the question quoted with other arguments than the stem's
        stem_layers = {c.split("(")[0] for c in _LAYER_CALL.findall(q.stem)}
        for call in _LAYER_CALL.findall(feedback):
            if call.split("(")[0] in stem_layers and call not in q.stem:
                out.append(Finding("trap_direction", where, f"feedback names `{call}`, the stem has another one"))
    return out


# ------------------------------------------------------------------ comparisons

_MORE = r"more|larger|bigger|greater|higher|faster|costlier|wider|deeper|longer|heavier"
_FEWER = r"fewer|less|smaller|lower|slower|cheaper|narrower|shallower|shorter|lighter"
_CMP = re.compile(rf"\b({_MORE}|{_FEWER})\b", re.I)
_N = r"(-?\d[\d,]*(?:\.\d+)?)"
# cheaper (A vs B), slower than the rule (A vs B), more: A against B
_VS = re.compile(rf"\b({_MORE}|{_FEWER})\b[^.;()]{{0,80}}?\(?\s*{_N}\s*[A-Za-z%×]*\s*(?:vs\.?|against)\s*{_N}", re.I)
# A … more … than B (numbers within the clause)
_THAN = re.compile(
    rf"{_N}[^.;:()0-9]{{0,60}}?\b({_MORE}|{_FEWER})\b[^.;:()0-9]{{0,40}}?\bthan\b[^.;:0-9]{{0,40}}?{_N}", re.I
)
_PERCENT_FEWER = re.compile(rf"\({_N}\s*[-−]\s*{_N}\)\s*/\s*{_N}\s*=\s*{_N}\s*%")


# the words whose direction a reader checks against the figures before them, and what counts as a figure
_UNVERIFIED = re.compile(r"\b(more|fewer|less|larger|smaller|faster|slower|cheaper|higher|lower|greater)\b[^.;]{0,50}?"
                         r"\bthan\b", re.I)  # fmt: skip
_FIGURE_NUM = re.compile(r"(?<![\w.])(\d+\.\d+|\d{1,3}(?:,\d{3})+|\d{3,})(?![\w.]\d)")


def _direction(word: str) -> int:
    return 1 if re.fullmatch(_MORE, word, re.I) else -1


def check_comparisons(q: AnyQuestion) -> list[Finding]:
    return [
        Finding("comparisons", f"{q.uid} {place}", msg)
        for place, raw in _texts(q)
        if not (place == "stem" or place.startswith("option"))
        for msg in _comparisons(raw)
    ]


@functools.lru_cache(maxsize=65536)
def _comparisons(raw: str) -> tuple[str, ...]:
    out: list[str] = []
    text = plain(raw)
    verified: list[tuple[int, int]] = []
    for m in _VS.finditer(text):
        word, a, b = m.group(1), _num(m.group(2)), _num(m.group(3))
        verified.append(m.span())
        if a != b and (a > b) != (_direction(word) > 0):
            out.append(f"'{word}' but {m.group(2)} vs {m.group(3)}: {m.group(0)}")
    for m in _THAN.finditer(text):
        a, word, b = _num(m.group(1)), m.group(2), _num(m.group(3))
        verified.append(m.span())
        if a != b and (a > b) != (_direction(word) > 0):
            out.append(f"'{word}' but {m.group(1)} vs {m.group(3)}: {m.group(0)}")
    for m in _PERCENT_FEWER.finditer(text):
        old, new, den, pct = (_num(g) for g in m.groups())
        if not (old > new and den == old and pct > 0):
            out.append(f"a percent fewer that is not (old − new)/old: {m.group(0)}")
    # "… than …" after computed figures, in a form none of the above can check against them
    for m in _UNVERIFIED.finditer(text):
        if any(s <= m.start() < e for s, e in verified):
            continue
        tail = text[m.end() : m.end() + 120].split(". ")[0]
        if re.search(r"\(\s*-?\d[\d,.]*\s*[A-Za-z%×]*\s*(?:vs\.?|against)", tail):
            continue  # "… than the rule (A vs B)": the _VS form sees the numbers after the word
        figures = _FIGURE_NUM.findall(text[: m.start()])
        if len(set(figures)) >= 2:
            out.append(f"comparison typed after the figures {figures[-2:]}: …{m.group(0)}")
    return tuple(out)


# ------------------------------------------------------------------ grammar

_NOT_NOUNS = {
    "is", "has", "was", "does", "gives", "adds", "sees", "keeps", "makes", "becomes", "stays", "means", "covers",
    "needs", "runs", "plus", "minus", "this", "thus", "its", "as", "versus", "holds", "lies", "moves", "counts",
    "goes", "comes", "appears", "remains", "sits", "wins", "ends", "starts",
}  # fmt: skip
_ONE_PLURAL = re.compile(r"(?<![\d.,·×/^\-+=(−])(?<![+\-−·×/] )\b1\s+([a-z]{2,}s)\b")
_AN_NUMBER = re.compile(r"(?<![\w'])(an?)\s+\(?(\d[\d,]*)")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_ELLIPSIS = re.compile(r"((?:-?\d+\s*[+,]\s*){1,})(?:…|\.\.\.)\s*[+,]\s*(-?\d+)")


def _an(number: str) -> bool:
    """True if the number is read with a vowel sound ('an 8×8', 'an 11×11', 'an 18-layer')."""
    digits = number.replace(",", "")
    if digits.startswith("8"):
        return True
    group = len(digits) % 3 or 3  # the leading group read before 'thousand'/'million'
    return group == 2 and digits[:2] in ("11", "18")


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _ellipsis_hides_nothing(shown: list[int], last: int) -> bool:
    """True if some progression through the shown terms reaches ``last`` next (nothing hidden behind the '…')."""
    if len(shown) < 2:
        return False
    a, b = shown[-2], shown[-1]
    nexts = {b + (b - a)}
    if a != 0 and b % a == 0:
        nexts.add(b * (b // a))
    return last in nexts or last <= b


def check_grammar(q: AnyQuestion) -> list[Finding]:
    return [Finding("grammar", f"{q.uid} {place}", msg) for place, raw in _texts(q) for msg in _grammar(raw)]


@functools.lru_cache(maxsize=65536)
def _grammar(raw: str) -> tuple[str, ...]:
    """The templating errors of one text."""
    out: list[str] = []
    text = plain(raw)
    for m in _ONE_PLURAL.finditer(text):
        word = m.group(1)
        if word not in _NOT_NOUNS and not word.endswith("ss"):
            out.append(f"plural after 1: '{m.group(0)}'")
    for m in _AN_NUMBER.finditer(text):
        art, num = m.group(1), m.group(2)
        if (art == "an") != _an(num):
            out.append(f"'{art} {num}'")
    for m in _ORDINAL.finditer(text):
        if m.group(2) != _ordinal_suffix(int(m.group(1))):
            out.append(f"ordinal '{m.group(0)}'")
    if re.search(r"\w\(s\)", text):
        out.append("'(s)' instead of a computed plural")
    if re.search(r"≈\s*0\.0+(?!\d*[1-9])|\b0\.00\s*[kMGT]\b", text):
        out.append("a figure rounded to 0.00: pick the unit (k, M, G) from the value")
    for m in _ELLIPSIS.finditer(text):
        shown = [int(x) for x in re.findall(r"-?\d+", m.group(1))]
        if _ellipsis_hides_nothing(shown, int(m.group(2))):
            out.append(f"ellipsis hides no term: '{m.group(0)}'")
    if re.search(r"\S  +\S", raw.replace("\n", "¶")):
        out.append("double space")
    for m in re.finditer(r"\b([A-Za-z]+)\s+\1\b", text):
        if m.group(1).lower() not in ("that", "had", "k", "c", "h", "w", "x", "d", "l", "s", "n", "t"):
            out.append(f"doubled word '{m.group(0)}'")
    for m in re.finditer(r"=\s*(\d[\d.,]*)\s*=\s*\1(?![\d.,])", text):
        out.append(f"'{m.group(0)}' restates a number")
    return tuple(out)


# ------------------------------------------------------------------ named_facts


@functools.lru_cache(maxsize=256)
def _model_figures(name: str) -> frozenset[float]:
    v = VARIANTS[name]
    figs: set[float] = set()
    for f in (v.params, v.trainable_params, v.macs):
        if f is not None and isinstance(f.value, int | float):
            figs.add(float(f.value))
    for f in v.reference.values():
        if isinstance(f.value, int | float) and not isinstance(f.value, bool):
            figs.add(float(f.value))
    return frozenset(figs)


def _titles() -> dict[str, str]:
    from .generators import architectures as A  # the zoo's display names

    return {title: name for name, title in A.TITLES.items()}


_FIGURE = re.compile(rf"{_N}\s*(G|M)?\s*(parameters|params|MACs|GMACs|GFLOPs|trainable)\b")
_MODULE = re.compile(r"(?:Inception|GoogLeNet)[^.]*?\(?\b([345][a-e])\b\)?[^.]*?(\d+)×(\d+)×(\d+)")
_VIT = re.compile(r"ViT-([A-Za-z]+)/(\d+)(?:[^.]*?width D = (\d+))?")
_DENSE = re.compile(r"DenseNet-(\d+)[^.]*?dense block (\d)[^.]*?has (\d+) layers")
_EFFNET = re.compile(r"EfficientNet-B(\d)[^.]*?depth ×([\d.]+), width ×([\d.]+) and resolution (\d+)")
_STRIDE = re.compile(r"(v1\.5|\(v1\)|v1 )[^.;]*?stride[^.;]*?in the (?:first )?(1×1|3×3)|stride[^.;]*?in the (?:first )?"
                     r"(1×1|3×3)[^.;]*?(v1\.5|\(v1\)|v1\b)")  # fmt: skip
_RUNS_FULL = re.compile(r"(1×1|3×3)(?:(?!1×1|3×3)[^.;]){0,60}\bruns? (?:at|on)\b[^.;]{0,40}(?:full|input's|larger|4×)")
_BOTTLENECKS = re.compile(r"ResNet-50's (\d+) bottlenecks")


def _named_claims(sentence: str) -> list[str]:
    """Claims about named architectures in one sentence that disagree with :mod:`models.facts`."""
    from models.facts import densenet, efficientnet, inception, resnet, vit

    out: list[str] = []
    rows = {row[0]: row for row in inception.GOOGLENET_ROWS}
    for m in _MODULE.finditer(sentence):
        row = rows.get(m.group(1))
        got = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
        if row is None or got != (row[8], row[8], row[1]):
            want = f"{row[8]}×{row[8]}×{row[1]}" if row else "no such module"
            out.append(f"GoogLeNet's {m.group(1)} takes {'×'.join(map(str, got))}; facts: {want}")
    for m in _VIT.finditer(sentence):
        name = f"{m.group(1)}/{m.group(2)}"
        if name not in vit.CONFIGS:
            out.append(f"ViT-{name} is not a published configuration ({', '.join(vit.PUBLISHED)})")
        elif m.group(3) and int(m.group(3)) != vit.CONFIGS[name]["hidden_dim"]:
            out.append(f"ViT-{name} has width {vit.CONFIGS[name]['hidden_dim']}, not {m.group(3)}")
    for m in _DENSE.finditer(sentence):
        depth, block, n = (int(g) for g in m.groups())
        if depth not in densenet.DEPTHS or densenet.DEPTHS[depth][2][block - 1] != n:
            out.append(f"DenseNet-{depth} dense block {block} does not have {n} layers")
    for m in _EFFNET.finditer(sentence):
        w, d, r, _ = efficientnet.COEFFICIENTS[f"b{m.group(1)}"]
        if (float(m.group(2)), float(m.group(3)), int(m.group(4))) != (d, w, r):
            out.append(f"EfficientNet-B{m.group(1)} scales depth ×{d}, width ×{w}, resolution {r}")
    for m in _STRIDE.finditer("" if "basic block" in sentence else sentence):  # bottleneck ResNets
        version = m.group(1) or m.group(4)
        conv = m.group(2) or m.group(3)
        want = "3×3" if "1.5" in version else "1×1"
        if conv != want:
            out.append(f"ResNet {version.strip('() ')} has its downsampling stride in the {want}, not the {conv}")
    if "v1.5" in sentence:
        for m in _RUNS_FULL.finditer(sentence):
            if m.group(1) != "1×1":
                out.append(f"in v1.5 it is the first 1×1, not the {m.group(1)}, that runs on the larger grid")
    for m in _BOTTLENECKS.finditer(sentence):
        if int(m.group(1)) != sum(resnet.BLOCKS[50]):
            out.append(f"ResNet-50 has {sum(resnet.BLOCKS[50])} bottlenecks, not {m.group(1)}")
    return out


_RESNET_SOURCE = re.compile(
    r"(Keras'|torchvision's|keras\.applications)[^.]*?\b(ResNet-?(50|101|152)|resnet(50|101|152))\b"
)


def check_named_facts(q: AnyQuestion) -> list[Finding]:
    out = [Finding("named_facts", f"{q.uid} {place}", msg) for place, raw in _texts(q) for msg in _named(raw)]
    stem = plain(q.stem)
    m = _RESNET_SOURCE.search(stem)
    if m and not re.search(r"\bv1(\.5)?\b", stem):  # a bottleneck ResNet's source fixes its variant: say which
        out.append(Finding("named_facts", f"{q.uid} stem", f"names {m.group(0)!r} without its variant (v1 or v1.5)"))
    return out


@functools.lru_cache(maxsize=1)
def _title_re() -> tuple[re.Pattern[str], dict[str, str]]:
    titles = _titles()
    alternation = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternation})(?![\w-]| v1\.5)"), titles


@functools.lru_cache(maxsize=65536)
def _named(raw: str) -> tuple[str, ...]:
    out: list[str] = []
    title_re, titles = _title_re()
    for sentence in re.split(r"(?<=[.?!])\s+|\n", plain(raw)):
        out += _named_claims(sentence)
        # a figure quoted beside exactly one named model must be one of its declared facts
        named_models = {titles[m] for m in title_re.findall(sentence)}
        if len(named_models) != 1:
            continue
        (name,) = named_models
        figs = _model_figures(name)
        for m in _FIGURE.finditer(sentence):
            val = _num(m.group(1)) * {"G": 1e9, "M": 1e6, None: 1.0}[m.group(2)]
            if val < 1e4:
                continue
            rel = 0.006 if m.group(2) else 1e-9
            if not any(abs(val - f) <= rel * f or abs(val - f * 1e9) <= rel * f * 1e9 for f in figs):
                out.append(f"{m.group(0)!r} for {name} is not a declared figure")
    return tuple(out)


# ------------------------------------------------------------------ answer_in_stem

_SHAPE = re.compile(r"\d[\d,]*(?:\s*×\s*\d[\d,]*)+")
_EXAMPLE = re.compile(r"(?:e\.g\.|such as|for example)[^)]*")


def check_answer_in_stem(q: AnyQuestion) -> list[Finding]:
    out: list[Finding] = []
    stem = plain(q.stem)
    where = q.uid
    key = _numeric_key(q)
    tol = getattr(q, "tolerance", None)
    for m in _EXAMPLE.finditer(stem):
        for x in numbers(m.group(0)):
            if (
                key is not None
                and key != 0
                and (
                    abs(x - key)
                    <= max(1e-9, (tol.value if tol and tol.mode == "relative" else 0.0) * abs(key)) * 1.0001
                    or (tol is not None and tol.mode != "exact" and tol.accepts(key, x))
                )
            ):
                out.append(Finding("answer_in_stem", where, f"the format example {m.group(0)!r} is the answer"))
    if key is None:
        if q.kind in ("short_text", "shape") and isinstance(q.key, str):
            shape_text = q.key.replace("x", "×")
            shapes = [s.replace(" ", "") for s in _SHAPE.findall(stem)]
            if shape_text in shapes[1:]:  # the first shape is the input: an output may equal it
                out.append(Finding("answer_in_stem", where, f"the key {q.key} is printed in the stem"))
        return out
    if abs(key) < 100 or (key != int(key) and len(f"{abs(key):g}".replace(".", "").lstrip("0")) < 3):
        return out  # small numbers recur as layer arguments; only counts and figures are checked
    stem_wo_shapes = _SHAPE.sub(" ", _EXAMPLE.sub(" ", stem))
    for x in numbers(stem_wo_shapes):
        if abs(x - key) <= 1e-9 * max(1.0, abs(key)):
            out.append(Finding("answer_in_stem", where, f"the key {key:g} is printed in the stem"))
            break
    return out


# ------------------------------------------------------------------ options

_WORDNUM = re.compile(r"(\d),(\d{3})")


def _norm_option(text: str) -> str:
    t = _WORDNUM.sub(r"\1\2", plain(text).lower())
    return re.sub(r"[\s.,;:!?'\"()\-–—]+", " ", t).strip()


def check_options_question(q: AnyQuestion) -> list[Finding]:
    if not _is_choice(q):
        return []
    out: list[Finding] = []
    norm = Counter(_norm_option(o.text) for o in q.options)  # type: ignore[union-attr]
    for text, n in norm.items():
        if n > 1:
            out.append(Finding("options", q.uid, f"{n} options read the same after normalisation: {text!r}"))
    wrong = Counter((o.trap, o.feedback) for o in q.options if not o.correct and o.trap)  # type: ignore[union-attr]
    for (trap, _), n in wrong.items():
        if n > 1:
            out.append(Finding("options", q.uid, f"{n} wrong options state the same misconception ({trap})"))
    return out


def _features(text: str) -> dict[str, str]:
    t = plain(text).strip()
    nums = re.findall(r"\d+(?:\.\d+)?", t)
    words = re.findall(r"[A-Za-z']+", t)
    return {
        "first number": nums[0] if nums else "—",
        "first word": words[0].lower() if words else "—",
        "has a number": str(bool(nums)),
        "ends with '.'": str(t.endswith(".")),
        "has ':'": str(":" in t),
        "has '('": str("(" in t),
    }


def check_option_cues(gen_id: str, d: int, qs: Sequence[AnyQuestion]) -> list[Finding]:
    choice = [q for q in qs if q.kind == "multiple_choice"]
    if len(choice) < 10:
        return []
    out: list[Finding] = []
    longest = shortest = 0
    cue: Counter[tuple[str, str]] = Counter()
    keys_text = Counter()
    for q in choice:
        opts = q.options  # type: ignore[union-attr]
        key = next(o for o in opts if o.correct)
        keys_text[key.text] += 1
        lk, others = len(key.text), [len(o.text) for o in opts if not o.correct]
        if lk > 1.25 * max(others) and lk - max(others) >= 12:
            longest += 1
        if lk < 0.8 * min(others) and min(others) - lk >= 12:
            shortest += 1
        fk = _features(key.text)
        fo = [_features(o.text) for o in opts if not o.correct]
        for name, value in fk.items():
            if all(f[name] != value for f in fo):
                cue[(name, value)] += 1
    n = len(choice)
    where = f"{gen_id} d{d}"
    if longest > n / 2:
        out.append(Finding("options", where, f"the key is the longest option by a wide margin in {longest}/{n} seeds"))
    if shortest > n / 2:
        out.append(Finding("options", where, f"the key is the shortest option by a wide margin in {shortest}/{n}"))
    if len(keys_text) >= 3:  # the key's text varies, yet one visible pattern singles it out
        for (name, value), c in cue.items():
            if c >= 0.8 * n:
                out.append(Finding("options", where, f"only the key has {name} = {value!r} in {c}/{n} seeds"))
    return out


# ------------------------------------------------------------------ distinct_keys, difficulty


def _key_signature(q: AnyQuestion) -> Any:
    if q.kind == "multiple_choice":
        o = next(o for o in q.options if o.correct)  # type: ignore[union-attr]
        if o.value is not None and _is_number_text(o.text):  # a numeric choice: its key is the number
            return ("value", str(o.value))
    if _is_choice(q):
        return ("options", frozenset(_norm_option(o.text) for o in q.options))  # type: ignore[union-attr]
    return ("key", str(q.key))


def check_distinct_keys(gen_id: str, d: int, qs: Sequence[AnyQuestion]) -> list[Finding]:
    sigs = {_key_signature(q) for q in qs}
    if len(sigs) >= 3:
        return []
    what = "option sets (the same question at every seed)" if _is_choice(qs[0]) else "keys"
    return [Finding("distinct_keys", f"{gen_id} d{d}", f"{len(sigs)} distinct {what} over {len(qs)} seeds")]


def check_difficulty(gen_id: str, by_d: dict[int, Sequence[AnyQuestion]]) -> list[Finding]:
    if 1 not in by_d or 3 not in by_d:
        return []
    easy = {q.stem for q in by_d[1]}
    same = [q for q in by_d[3] if q.stem in easy]
    if not same:
        return []
    return [Finding("difficulty", f"{gen_id} d3", f"{len(same)} of {len(by_d[3])} stems also occur at difficulty 1: "
                    f"{plain(same[0].stem)[:100]!r}")]  # fmt: skip


# ------------------------------------------------------------------ the whole bank

PER_QUESTION = {
    "trap_direction": check_trap_direction,
    "comparisons": check_comparisons,
    "grammar": check_grammar,
    "named_facts": check_named_facts,
    "answer_in_stem": check_answer_in_stem,
    "options": check_options_question,
}


def lint_generator(gen_id: str, by_d: dict[int, Sequence[AnyQuestion]]) -> list[Finding]:
    out: list[Finding] = []
    for d, qs in by_d.items():
        for q in qs:
            for check in PER_QUESTION.values():
                out += check(q)
        out += check_distinct_keys(gen_id, d, qs)
        out += check_option_cues(gen_id, d, qs)
    out += check_difficulty(gen_id, by_d)
    return out


def collect(seeds: int, gen_ids: Iterable[str] | None = None) -> dict[str, dict[int, list[AnyQuestion]]]:
    from .generators import REGISTRY, generate

    ids = sorted(REGISTRY) if gen_ids is None else list(gen_ids)
    return {g: {d: [generate(g, s, d) for s in range(seeds)] for d in REGISTRY[g].difficulties} for g in ids}


def lint_bank(seeds: int = 60, gen_ids: Iterable[str] | None = None) -> list[Finding]:
    out: list[Finding] = []
    for gen_id, by_d in collect(seeds, gen_ids).items():
        out += lint_generator(gen_id, by_d)
    return out


def summary(findings: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """Per check: how many findings and in how many generators."""
    count: Counter[str] = Counter()
    gens: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        count[f.check] += 1
        gens[f.check].add(f.where.split("@")[0].split(" ")[0])
    return {c: {"findings": count[c], "generators": len(gens[c])} for c in CHECKS}
