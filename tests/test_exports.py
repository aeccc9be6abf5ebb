"""Exam builder and the five export formats, read back by readers that are not ours.

Readers: the project's own pydantic models (JSON); moodle-xml-parser (PyPI) for Moodle multichoice, plus our own
ElementTree checks for numerical and shortanswer (marked "own check"); gift-pegjs (npm, run with node) for GIFT;
text2qti (PyPI) builds the same questions from its own text format and its QTI is compared with ours item by item,
and qti2latex's (PyPI) QTI reading functions as a smoke reader; pypdf (PyPI) for the text of the PDFs.
Every generator at each of its difficulties is exported under two seeds.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from quizbank.exam import (
    BlueprintError,
    Exam,
    StudentExam,
    build_exam,
    build_student_exam,
    load_blueprint,
    parse_blueprint,
)
from quizbank.export import EXPORTERS, export, export_many
from quizbank.export.gift import escape as gift_escape
from quizbank.export.pdf import compile_typst, typst_sources
from quizbank.generators import REGISTRY, generate
from quizbank.schema import (
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    QuestionListAdapter,
    ShapeQuestion,
)

ROOT = Path(__file__).resolve().parents[1]
READERS = ROOT / "tools" / "readers"
SEEDS = (1, 2)
ITEMS = [{"generator": g.id, "difficulty": d} for g in REGISTRY.values() for d in g.difficulties]


def words(text: str) -> list[str]:
    """The plain words of bank text (outside math and code), the part every reader must keep as is."""
    text = re.sub(r"\$[^$]*\$|`[^`]*`", " ", text)
    return re.findall(r"[A-Za-z]{4,}", text)


def has_words(source: str, found: str) -> bool:
    flat = re.sub(r"\s+", " ", found)
    return all(w in flat for w in words(source))


# ------------------------------------------------------------------ blueprint files


def test_blueprint_file_loads_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "midterm.toml"
    path.write_text(
        'title = "Midterm"\nseed = 7\nsame_for_everyone = false\nshuffle_options = true\n'
        "[schedule]\nopens = 2026-03-01T09:00:00Z\ncloses = 2026-03-01T11:00:00Z\ntime_limit_min = 90\nattempts = 1\n"
        '[[items]]\ntopic = "pooling"\ncount = 2\npoints = 2\n'
        '[[items]]\ngenerator = "pooling.output_shape"\ndifficulty = 2\n',
        encoding="utf-8",
    )
    bp = load_blueprint(path)
    assert bp.title == "Midterm" and bp.seed == 7 and not bp.same_for_everyone
    assert [i.count for i in bp.items] == [2, 1] and bp.items[1].difficulty == 2
    assert bp.schedule.time_limit_min == 90 and bp.schedule.closes is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "T", "items": [{"topic": "pooling", "count": 0}]}, "items[0].count"),
        ({"title": "T", "items": [{"topic": "pooling"}, {"topic": "nope"}]}, "items[1]"),
        ({"title": "T", "items": [{"topic": "pooling", "difficulty": 4}]}, "items[0].difficulty"),
        ({"title": "T", "items": [{"topic": "pooling"}], "schedule": {"attempts": 0}}, "schedule.attempts"),
        ({"title": "T", "items": [{"topic": "pooling"}], "shufle": True}, "shufle"),
        ({"items": [{"topic": "pooling"}]}, "title"),
        ({"title": "T", "items": []}, "items"),
        (
            {
                "title": "T",
                "items": [{"topic": "pooling"}],
                "schedule": {"opens": "2026-01-02T00:00:00Z", "closes": "2026-01-01T00:00:00Z"},
            },
            "schedule",
        ),
    ],
)
def test_blueprint_errors_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(BlueprintError) as e:
        parse_blueprint(data)
    assert f"{field}:" in str(e.value) or f"{field}." in str(e.value)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("title = \n", encoding="utf-8")
    with pytest.raises(BlueprintError, match=r"bad\.toml"):
        load_blueprint(path)


# ------------------------------------------------------------------ per-student variants


def _bp(**kw: object):
    data = {
        "title": "Quiz",
        "seed": 11,
        "items": [{"topic": "pooling", "count": 3}, {"topic": "output_size", "count": 2}],
    }
    data.update(kw)
    return parse_blueprint(data)


def test_variants_are_fixed_by_blueprint_student_and_seed() -> None:
    bp = _bp(same_for_everyone=False, shuffle_questions=True, shuffle_options=True)
    students = [f"s{i}" for i in range(6)]
    a, b = build_exam(bp, students), build_exam(bp, students)
    assert a.model_dump_json() == b.model_dump_json()
    # in any order and alone, a student's exam is the same
    assert build_student_exam(bp, "s3").model_dump_json() == a.students[3].model_dump_json()
    # students differ, and another base seed gives other variants
    assert len({tuple(q.question.uid for q in s.questions) for s in a.students}) == len(students)
    other = build_exam(bp.model_copy(update={"seed": 12}), students)
    assert [s.seed for s in other.students] != [s.seed for s in a.students]


def test_each_question_regenerates_bit_for_bit() -> None:
    exam = build_exam(_bp(same_for_everyone=False, shuffle_options=True), ["ann", "bo"])
    for se in exam.students:
        for eq in se.questions:
            q = eq.question
            fresh = generate(q.generator, q.seed, q.difficulty)
            if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
                assert sorted(q.options, key=lambda o: o.id) == sorted(fresh.options, key=lambda o: o.id)
                assert q.key == fresh.key
                fresh = fresh.model_copy(update={"options": q.options})
            assert q == fresh


def test_same_for_everyone_and_shuffles() -> None:
    students = ["a", "b", "c", "d"]
    same = build_exam(_bp(), students)
    uids = {tuple(q.question.uid for q in s.questions) for s in same.students}
    assert len(uids) == 1
    shuffled = build_exam(_bp(shuffle_questions=True), students)
    orders = {tuple(q.question.uid for q in s.questions) for s in shuffled.students}
    assert len(orders) > 1 and {tuple(sorted(o)) for o in orders} == {tuple(sorted(next(iter(uids))))}
    assert all([q.number for q in s.questions] == [1, 2, 3, 4, 5] for s in shuffled.students)
    with pytest.raises(ValueError, match="distinct"):
        build_exam(_bp(), ["a", "a"])


def test_option_shuffle_keeps_the_key() -> None:
    bp = parse_blueprint({"title": "T", "shuffle_options": True, "items": [{"topic": "milestones", "count": 6}]})
    exam = build_exam(bp, [f"s{i}" for i in range(8)])
    moved = False
    for se in exam.students:
        for eq in se.questions:
            q = eq.question
            if isinstance(q, MultipleChoiceQuestion):
                assert [o.id for o in q.options if o.correct] == [q.key]
                moved |= [o.id for o in q.options] != [
                    o.id for o in generate(q.generator, q.seed, q.difficulty).options
                ]
    assert moved


# ------------------------------------------------------------------ every generator × difficulty × 2 seeds, every format


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Exam, Path]]:
    out = []
    for seed in SEEDS:
        bp = parse_blueprint({"title": f"Sweep {seed}", "seed": seed, "items": ITEMS})
        exam = build_exam(bp, ["s1"])
        d = tmp_path_factory.mktemp(f"sweep{seed}")
        for fmt in EXPORTERS:
            export(exam, fmt, d)
        out.append((exam, d))
    return out


def _questions(exam: Exam):
    return [eq.question for eq in exam.students[0].questions]


def test_sweep_covers_every_generator_and_difficulty(sweep) -> None:
    for exam, _ in sweep:
        got = Counter((q.generator, q.difficulty) for q in _questions(exam))
        assert set(got) == {(i["generator"], i["difficulty"]) for i in ITEMS}
        assert len(got) == len(ITEMS) > 300


def test_json_round_trip(sweep) -> None:
    for exam, d in sweep:
        data = json.loads((d / "exam.json").read_text(encoding="utf-8"))
        raw = [q["question"] for q in data["students"][0]["questions"]]
        assert all("key" in q for q in raw)
        assert QuestionListAdapter.validate_python(raw) == _questions(exam)
        assert Exam.model_validate(data) == exam


def test_json_of_own_variants_round_trips_whole_and_per_student(tmp_path: Path) -> None:
    """exam.json and every students/<id>.json read back into the very exam (the writer serialises each student once
    and splices them into exam.json)."""
    exam = build_exam(_bp(same_for_everyone=False, shuffle_options=True), ["ann", "b/o", 'c"y'])
    paths = export(exam, "json", tmp_path)
    whole = (tmp_path / "exam.json").read_text(encoding="utf-8")
    assert Exam.model_validate_json(whole) == exam
    assert json.loads(whole)["students"][1]["student"] == "b/o"
    singles = [StudentExam.model_validate_json(p.read_text(encoding="utf-8")) for p in paths[1:]]
    assert [p.name for p in paths[1:]] == ["ann.json", "b_o.json", "c_y.json"]
    assert singles == exam.students


def test_all_formats_at_once_write_what_each_writes_alone(tmp_path: Path) -> None:
    """``export_many`` (the builder page's and ``--format all``'s path: the PDF typesets in threads while the text
    formats are written) writes the same files, the text formats byte for byte, and the PDFs with the same text."""
    from pypdf import PdfReader

    exam = build_exam(_bp(same_for_everyone=False, shuffle_questions=True), ["ann", "bo"])
    together = export_many(exam, {fmt: tmp_path / "all" / fmt for fmt in EXPORTERS})
    assert list(together) == list(EXPORTERS)
    for fmt, paths in together.items():
        alone = export(exam, fmt, tmp_path / "alone" / fmt)
        rel = [p.relative_to(tmp_path / "all" / fmt) for p in paths]
        assert rel == [p.relative_to(tmp_path / "alone" / fmt) for p in alone]
        for a, b in zip(paths, alone, strict=True):
            if fmt == "pdf":
                text = ["".join(pg.extract_text() for pg in PdfReader(x).pages) for x in (a, b)]
                assert text[0] == text[1] and "Student" in text[0]
            elif fmt != "qti":  # the QTI zip carries its members' times
                assert a.read_bytes() == b.read_bytes(), a
    with pytest.raises(ValueError, match="unknown export format 'docx'"):
        export_many(exam, {"json": tmp_path / "x", "docx": tmp_path / "y"})


def test_moodle_multichoice_through_moodle_xml_parser(sweep) -> None:
    from moodle_xml_parser.parser import parse_string

    for exam, d in sweep:
        parsed = parse_string((d / "exam.moodle.xml").read_text(encoding="utf-8"))["multichoice"]
        choice = [q for q in _questions(exam) if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion)]
        assert len(parsed) == len(choice) > 0
        for q, m in zip(choice, parsed):
            assert m.single == isinstance(q, MultipleChoiceQuestion)
            assert has_words(q.stem, m.text_pre_parse) and has_words(q.explanation, m.general_feedback)
            assert len(m.options) == len(q.options)
            for o, mo in zip(q.options, m.options):
                assert has_words(o.text, mo.answer) and has_words(o.feedback, mo.feedback)
                assert (mo.score_fraction > 0) == o.correct
            if isinstance(q, MultipleChoiceQuestion):
                assert sorted(mo.score_fraction for mo in m.options)[-1] == 100
            else:
                assert sum(mo.score_fraction for mo in m.options if mo.score_fraction > 0) == pytest.approx(
                    100, abs=0.01
                )
                assert all(mo.score_fraction < 0 for mo in m.options if mo.score_fraction <= 0)


def test_moodle_numerical_and_shortanswer_own_check(sweep) -> None:
    """Own check (ElementTree): moodle-xml-parser reads only multichoice and cloze."""
    for exam, d in sweep:
        root = ET.parse(d / "exam.moodle.xml").getroot()
        xs = [x for x in root.findall("question") if x.get("type") != "category"]
        assert root.find("question").get("type") == "category"
        qs = _questions(exam)
        assert len(xs) == len(qs)
        for q, x in zip(qs, xs):
            assert has_words(q.explanation, x.findtext("generalfeedback/text") or "")
            answers = x.findall("answer")
            if isinstance(q, NumericQuestion):
                assert x.get("type") == "numerical"
                first = answers[0]
                assert first.get("fraction") == "100" and float(first.findtext("text")) == pytest.approx(q.key)
                tol = float(first.findtext("tolerance"))
                assert q.tolerance.accepts(q.key, q.key + tol * 0.99) and q.tolerance.accepts(q.key, q.key - tol * 0.99)
                assert len(answers) == 1 + len(q.traps)
                for t, a in zip(q.traps, answers[1:]):
                    assert a.get("fraction") == "0" and float(a.findtext("text")) == pytest.approx(t.value)
                    assert has_words(t.feedback, a.findtext("feedback/text"))
            elif isinstance(q, ShapeQuestion):
                assert x.get("type") == "shortanswer"
                right = [a.findtext("text") for a in answers if a.get("fraction") == "100"]
                assert q.key in right and set(q.accept) <= set(right)
                wrong = [a for a in answers if a.get("fraction") == "0"]
                assert len(wrong) == len(q.traps)
                for t, a in zip(q.traps, wrong):
                    assert [int(v) for v in re.findall(r"\d+", a.findtext("text"))] == t.value
                    assert has_words(t.feedback, a.findtext("feedback/text"))
            else:
                assert x.get("type") == "multichoice"


def test_gift_escaping() -> None:
    assert gift_escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"


def _gift_pegjs(path: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (READERS / "node_modules" / "gift-pegjs").is_dir():
        why = "node and tools/readers/node_modules (make readers) are needed for gift-pegjs"
        if os.environ.get("CI"):
            pytest.fail(why + ": CI must run every outside reader")
        pytest.skip(why)
    done = subprocess.run([node, str(READERS / "gift_read.js"), str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_gift_through_gift_pegjs(sweep) -> None:
    for exam, d in sweep:
        parsed = [p for p in _gift_pegjs(d / "exam.gift.txt") if p["type"] != "Category"]
        qs = _questions(exam)
        assert len(parsed) == len(qs)
        for q, p in zip(qs, parsed):
            assert has_words(q.stem, p["stem"]["text"]) and has_words(q.explanation, p["globalFeedback"]["text"])
            # gift-pegjs leaves the backslash of LaTeX commands escaped once more than GIFT wrote it
            if isinstance(q, NumericQuestion):
                assert p["type"] == "Numerical"
                key, *traps = p["choices"]
                assert key["weight"] in (None, 100) and key["text"]["number"] == pytest.approx(q.key)
                assert q.tolerance.accepts(q.key, q.key + key["text"]["range"] * 0.99)
                assert [c["text"]["number"] for c in traps] == pytest.approx([t.value for t in q.traps])
                assert all(
                    c["weight"] == 0 and has_words(t.feedback, c["feedback"]["text"]) for c, t in zip(traps, q.traps)
                )
            elif isinstance(q, ShapeQuestion):
                assert p["type"] == "Short"
                right = [c["text"]["text"] for c in p["choices"] if c["weight"] is None]
                assert q.key in right and set(q.accept) <= set(right)
                assert sum(c["weight"] == 0 for c in p["choices"]) == len(q.traps)
            else:
                assert p["type"] == "MC" and len(p["choices"]) == len(q.options)
                for o, c in zip(q.options, p["choices"]):
                    assert has_words(o.text, c["text"]["text"]) and has_words(o.feedback, c["feedback"]["text"])
                    if isinstance(q, MultipleChoiceQuestion):
                        assert c["isCorrect"] == o.correct
                    else:
                        assert (c["weight"] > 0) == o.correct
                if isinstance(q, MultiSelectQuestion):
                    assert sum(c["weight"] for c in p["choices"] if c["weight"] > 0) == pytest.approx(100, abs=0.01)


# ------------------------------------------------------------------ QTI


def _qti_items(zip_path: Path) -> tuple[ET.Element, list[ET.Element]]:
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        manifest = ET.fromstring(z.read("imsmanifest.xml"))
        ns = {"m": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
        hrefs = [f.get("href") for f in manifest.iterfind(".//m:file", ns)]
        assert hrefs and all(h in names for h in hrefs)
        items: list[ET.Element] = []
        for h in hrefs:
            if not h.endswith("assessment_meta.xml"):
                items += ET.fromstring(z.read(h)).iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}item")
    return manifest, items


def _shape(el: ET.Element) -> tuple:
    """An element's structure: its tag, its attribute names (and the values that are not identifiers), children."""
    attrs = tuple(
        sorted(
            (k, v if k in ("rcardinality", "fibtype", "continue", "texttype", "action") else "")
            for k, v in el.attrib.items()
        )
    )
    return (el.tag.split("}")[-1], attrs, tuple(_shape(c) for c in el))


def _text2qti_source(qs) -> str:
    """The same questions in text2qti's own format: same kinds, options, keys and feedback (placeholder texts)."""
    lines = ["Quiz title: Same content", ""]
    for n, q in enumerate(qs, start=1):
        lines += [f"{n}.  Question {n}", "... General feedback"]
        if isinstance(q, NumericQuestion):
            lines.append("=   5 +- 0.5")
        elif isinstance(q, ShapeQuestion):
            lines += [f"*   answer {i}" for i in range(len({q.key, *q.accept}))]
        elif isinstance(q, MultipleChoiceQuestion):
            for i, o in enumerate(q.options):
                lines += [f"{'*' if o.correct else ''}{'abcdefghij'[i]}) option {i}", "... option feedback"]
        else:
            for i, o in enumerate(q.options):
                lines += [f"[{'*' if o.correct else ' '}] option {i}", "... option feedback"]
        lines.append("")
    return "\n".join(lines)


def test_qti_matches_text2qti_item_by_item(sweep, tmp_path: Path) -> None:
    exam, d = sweep[0]
    qs = _questions(exam)
    _, ours = _qti_items(d / "exam.qti.zip")
    assert len(ours) == len(qs)
    src = tmp_path / "same.md"
    src.write_text(_text2qti_source(qs), encoding="utf-8")
    exe = Path(shutil.which("text2qti", path=str(ROOT / ".venv" / "bin")) or "text2qti")
    subprocess.run([str(exe), str(src)], cwd=tmp_path, check=True, capture_output=True)
    _, theirs = _qti_items(tmp_path / "same.zip")
    assert len(theirs) == len(ours)
    assert len({_shape(r) for r in theirs}) >= 4  # the comparison sees four kinds and several option counts
    for q, mine, ref in zip(qs, ours, theirs):
        assert _shape(mine) == _shape(ref), q.uid


def test_qti_content_and_qti2latex_smoke_reader(sweep, tmp_path: Path) -> None:
    import qti2latex

    for exam, d in sweep:
        qs = _questions(exam)
        with zipfile.ZipFile(d / "exam.qti.zip") as z:
            z.extractall(tmp_path / d.name)
        files = qti2latex.read_qti_dir(tmp_path / d.name)
        items = [i for f in files for i in qti2latex.findall_anyns(ET.parse(f).getroot(), "item")]
        assert len(items) == len(qs)
        want = {"numeric": "numerical_question", "shape": "short_answer_question",
                "multiple_choice": "multiple_choice_question", "multi_select": "multiple_answers_question"}  # fmt: skip
        for q, item in zip(qs, items):
            meta = qti2latex.get_qti_metadata(item)
            assert qti2latex.guess_type(meta, item) == want[q.kind]
            assert has_words(q.stem, qti2latex.get_item_stem(item))
            if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
                choices = qti2latex.get_choices(item)
                assert len(choices) == len(q.options)
                assert all(has_words(o.text, t) for o, (_, t) in zip(q.options, choices))
            if isinstance(q, NumericQuestion):
                lo = float(item.find(".//{*}vargte").text)
                hi = float(item.find(".//{*}varlte").text)
                assert lo <= q.key <= hi and q.tolerance.accepts(q.key, lo + (q.key - lo) * 0.01)


# ------------------------------------------------------------------ PDF


def test_latex_the_bank_writes_all_converts(sweep) -> None:
    for exam, _ in sweep:
        assert typst_sources(exam)[2] == Counter()


def test_pdf_text_has_every_stem_and_key(sweep) -> None:
    from pypdf import PdfReader

    exam, d = sweep[0]
    qs = _questions(exam)
    exam_text = " ".join(p.extract_text() for p in PdfReader(d / "exams.pdf").pages)
    key_text = " ".join(p.extract_text() for p in PdfReader(d / "key.pdf").pages)
    flat_exam, flat_key = re.sub(r"\s+", " ", exam_text), re.sub(r"\s+", " ", key_text)
    missing = [q.uid for q in qs if not has_words(q.stem, flat_exam)]
    assert missing == []
    keys = re.findall(r"Key: (\S+)", flat_key)
    assert len(keys) == len(qs)
    for q, k in zip(qs, keys):
        if isinstance(q, NumericQuestion):
            assert float(k) == pytest.approx(q.key), q.uid
        elif isinstance(q, ShapeQuestion):
            assert k == q.key, q.uid
        else:
            first = next(i for i, o in enumerate(q.options) if o.correct)
            assert k == f"({'abcdefghij'[first]})", q.uid
        assert has_words(q.explanation, flat_key)


def test_pdf_one_exam_per_student_and_a_page_renders(tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader

    bp = parse_blueprint(
        {"title": "Look", "same_for_everyone": False, "items": [{"topic": "backward", "difficulty": 3, "count": 3}]}
    )
    exam = build_exam(bp, ["ann", "bo", "cy"])
    paths = export(exam, "pdf", tmp_path)
    pages = [p.extract_text() for p in PdfReader(paths[0]).pages]
    starts = [i for i, t in enumerate(pages) if "Student: " in t]
    assert [re.search(r"Student: (\w+)", pages[i]).group(1) for i in starts] == ["ann", "bo", "cy"]
    png = compile_typst(typst_sources(exam)[0], fmt="png", ppi=60)
    first = png[0] if isinstance(png, list) else png
    img = Image.open(io.BytesIO(first)).convert("L")
    assert img.width > 400 and img.height > 600
    dark = sum(1 for v in img.getdata() if v < 128)
    assert 0.002 < dark / (img.width * img.height) < 0.3


def _brief_matches(q, brief: str) -> bool:
    """Whether ``brief`` (a key in a student's short list) is ``q``'s key: the number (then maybe its unit), the
    shape, or the letters of the right options."""
    if isinstance(q, NumericQuestion):
        return float(brief.split(" ")[0]) == pytest.approx(q.key)
    if isinstance(q, ShapeQuestion):
        return brief == q.key
    return brief == ", ".join(f"({'abcdefghij'[i]})" for i, o in enumerate(q.options) if o.correct)


@pytest.mark.parametrize("own_variants", [False, True])
def test_pdf_key_lists_every_student_and_writes_each_solution_once(tmp_path: Path, own_variants: bool) -> None:
    from pypdf import PdfReader

    bp = parse_blueprint(
        {
            "title": "Shuffled",
            "same_for_everyone": not own_variants,
            "shuffle_questions": True,
            "items": [{"topic": "conv_params", "count": 2}, {"topic": "pooling", "count": 2}],
        }
    )
    students = ["ann", "bo", "cy", "dee"]
    exam = build_exam(bp, students)
    text = "\n".join(p.extract_text() for p in PdfReader(export(exam, "pdf", tmp_path)[1]).pages)
    lists, _, worked = text.partition("Worked solutions")
    solutions = dict(re.findall(r"S(\d+)\. Key: (\S+)", worked))
    distinct = {eq.question.uid: eq.question for se in exam.students for eq in se.questions}
    # one worked solution per distinct question, however many students have it
    assert len(solutions) == len(distinct)
    if not own_variants:
        assert len(distinct) == 4
    for q in distinct.values():
        assert has_words(q.explanation, re.sub(r"\s+", " ", worked)), q.uid
    # each student's list: every question's key, and the solution it points to opens with that key
    blocks = re.split(r"Student: (\w+)\n", lists)[1:]
    assert blocks[::2] == students
    for se, block in zip(exam.students, blocks[1::2]):
        entries = {int(n): (brief.strip(), ref) for n, brief, ref in re.findall(r"(\d+)\. (.+?) S(\d+)", block)}
        assert sorted(entries) == [eq.number for eq in se.questions]
        for eq in se.questions:
            brief, ref = entries[eq.number]
            assert _brief_matches(eq.question, brief), (se.student, eq.number, brief)
            assert solutions[ref] == brief.split(" ")[0].rstrip(","), (se.student, eq.number)


def test_code_then_punctuation_keeps_the_punctuation() -> None:
    """After inline code Typst would eat a ``;`` and read ``.``/``(`` as code: the PDF must show them."""
    from pypdf import PdfReader

    from quizbank.export._text import md_typst

    text = "Then `Add`; ReLU. Use `x`.shape and `f`(y), **bold**."
    pdf = compile_typst(md_typst(text))
    assert isinstance(pdf, bytes)
    shown = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Add; ReLU" in shown and "x.shape" in shown and "f(y)" in shown and "bold." in shown


# ------------------------------------------------------------------ the cnnquiz exam commands


def test_cli_build_and_export_through_the_grader(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from grader import services as S
    from grader.db import make_engine, session_factory, upgrade
    from ui.cli import app

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    sf = session_factory(engine)
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    S.enrol(sf, prof.id, course.id, ada.id)
    engine.dispose()
    bp = tmp_path / "quiz.toml"
    bp.write_text(
        'title = "Pooling quiz"\nseed = 5\n[schedule]\nattempts = 2\ntime_limit_min = 30\n'
        '[[items]]\ntopic = "pooling"\ncount = 3\npoints = 2\n',
        encoding="utf-8",
    )
    roster = tmp_path / "roster.txt"
    roster.write_text("# students\nada\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(
        app, ["exam", "build", str(bp), "--course", "CNN101", "--as", "prof", "--roster", str(roster), "--url", url]
    )
    assert r.exit_code == 0, r.output
    aid = int(re.search(r"assessment (\d+)", r.output).group(1))
    assert "3 questions" in r.output and "6 points" in r.output
    r = runner.invoke(
        app, ["exam", "export", str(aid), "--format", "all", "--out", str(tmp_path / "x"), "--as", "prof", "--url", url]
    )
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "x" / "exam.json").read_text(encoding="utf-8"))
    qs = QuestionListAdapter.validate_python([q["question"] for q in data["students"][0]["questions"]])
    assert len(qs) == 3 and all(q.topic == "pooling" for q in qs)
    assert {p.name for p in (tmp_path / "x").iterdir()} == {
        "exam.json",
        "exam.moodle.xml",
        "exam.gift.txt",
        "exam.qti.zip",
        "exams.pdf",
        "key.pdf",
    }
    # a student may not export it; a roster with an unknown user is refused
    r = runner.invoke(app, ["exam", "export", str(aid), "--as", "ada", "--out", str(tmp_path / "y"), "--url", url])
    assert r.exit_code == 2 and "instructor" in r.output
    roster.write_text("ada\nnobody\n", encoding="utf-8")
    r = runner.invoke(
        app, ["exam", "build", str(bp), "--course", "CNN101", "--as", "prof", "--roster", str(roster), "--url", url]
    )
    assert r.exit_code == 2 and "nobody" in r.output


def test_cli_export_from_a_blueprint_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ui.cli import app

    bp = tmp_path / "quiz.toml"
    bp.write_text('title = "Q"\nsame_for_everyone = false\n[[items]]\ntopic = "pooling"\ncount = 2\n', encoding="utf-8")
    r = CliRunner().invoke(
        app, ["exam", "export", "--blueprint", str(bp), "--students", "4", "--format", "gift", "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    text = (tmp_path / "exam.gift.txt").read_text(encoding="utf-8")
    assert [line.split("/")[-1] for line in text.splitlines() if line.startswith("$CATEGORY")] == [
        "s001",
        "s002",
        "s003",
        "s004",
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "Q"\n[[items]]\ntopic = "pooling"\ncount = -1\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["exam", "export", "--blueprint", str(bad), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "items[0].count" in r.output


def test_latex_to_typst_on_what_the_bank_writes() -> None:
    from quizbank.export._text import latex_to_typst, md_html

    assert latex_to_typst(r"\frac{1}{9}") == "(1)/(9)"
    assert latex_to_typst(r"\lfloor (W-K)/S \rfloor") == r"floor.l (W-K)\/S floor.r"
    assert latex_to_typst(r"K_{eff}^2") == 'K_("eff")^(2)'
    assert latex_to_typst(r"\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix}") == 'mat(delim: "[", 1 , 2 ; 3 , 4)'
    assert latex_to_typst(r"\text{ReLU}(x) \approx 1{,}000") == '"ReLU" (x) approx 1\\,000'
    unknown: Counter[str] = Counter()
    assert "#raw" in latex_to_typst(r"\mathfrak{g}", unknown) and unknown == Counter({r"\mathfrak": 1})
    # converted once and remembered, a text still counts its unknown commands each time it is written
    from quizbank.export._text import md_typst

    twice: Counter[str] = Counter()
    assert md_typst(r"Is $\mathfrak{h}$ known?", twice) == md_typst(r"Is $\mathfrak{h}$ known?", twice)
    assert twice == Counter({r"\mathfrak": 2})
    assert md_html("Is **$a<b$** `x<y`?") == r"<p>Is <strong>\(a&lt;b\)</strong> <code>x&lt;y</code>?</p>"
