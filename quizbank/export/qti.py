"""``qti``: a QTI 1.2 zip for Canvas (``exam.qti.zip``), laid out the way text2qti writes one.

``imsmanifest.xml`` lists one assessment per question set (one shared set, or one per student when students get
their own variants), each an ``<assessment>`` XML plus Canvas's ``assessment_meta.xml``. Items are
``numerical_question`` (the key's ± range), ``multiple_choice_question``, ``multiple_answers_question`` (right
options selected and wrong ones not) and ``short_answer_question`` (the key and its accepted spellings), with
per-option feedback on choices and the explanation as general feedback (for numbers and shapes, whose Canvas items
have no per-value feedback, the traps' feedback is listed in it). Math is a Canvas equation image, as text2qti
writes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..exam import Exam, ExamQuestion
from ..schema import MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion
from ._common import variants
from ._text import absolute_tolerance, accepted_shapes, md_html, number, trap_feedback_list

_NS_QTI = (
    'xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.imsglobal.org/xsd/ims_qtiasiv1p2 http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"'
)


def canvas_math(latex: str) -> str:
    """Canvas's equation image for inline LaTeX (what text2qti writes)."""
    t = escape(latex)
    return (
        f'<img class="equation_image" title="{t}" src="/equation_images/{quote(quote(latex, safe=""), safe="")}'
        f'?scale=1" alt="LaTeX: {t}" data-equation-content="{t}" data-ignore-a11y-check="" >'
    )


def _html(md: str) -> str:
    """Markdown as escaped HTML for a ``<mattext texttype="text/html">``."""
    return escape(md_html(md, canvas_math), quote=False)


def _id(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def _meta(field: str, value: str) -> str:
    return (
        f"            <qtimetadatafield>\n              <fieldlabel>{field}</fieldlabel>\n"
        f"              <fieldentry>{value}</fieldentry>\n            </qtimetadatafield>\n"
    )


def _feedback_cond(cond: str, link: str) -> str:
    return (
        f'          <respcondition continue="Yes">\n            <conditionvar>\n{cond}\n            </conditionvar>\n'
        f'            <displayfeedback feedbacktype="Response" linkrefid="{link}"/>\n          </respcondition>\n'
    )


def _set_correct(cond: str) -> str:
    return (
        f'          <respcondition continue="No">\n            <conditionvar>\n{cond}\n            </conditionvar>\n'
        '            <setvar action="Set" varname="SCORE">100</setvar>\n          </respcondition>\n'
    )


def _itemfeedback(ident: str, html: str) -> str:
    return (
        f'        <itemfeedback ident="{ident}">\n          <flow_mat>\n            <material>\n'
        f'              <mattext texttype="text/html">{html}</mattext>\n            </material>\n'
        "          </flow_mat>\n        </itemfeedback>\n"
    )


def item_xml(eq: ExamQuestion, ident: str) -> str:
    q = eq.question
    choice_ids: dict[str, str] = {}
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        choice_ids = {o.id: f"text2qti_choice_{_id(ident, o.id)}" for o in q.options}
    qtype = {
        "numeric": "numerical_question",
        "shape": "short_answer_question",
        "multiple_choice": "multiple_choice_question",
        "multi_select": "multiple_answers_question",
    }[q.kind]
    out = [f'      <item ident="text2qti_question_{ident}" title="Q{eq.number}">\n']
    out.append("        <itemmetadata>\n          <qtimetadata>\n")
    out.append(_meta("question_type", qtype))
    out.append(_meta("points_possible", number(eq.points)))
    out.append(_meta("original_answer_ids", ",".join(choice_ids.values())))
    out.append(_meta("assessment_question_identifierref", f"text2qti_question_ref_{ident}"))
    out.append("          </qtimetadata>\n        </itemmetadata>\n")
    stem = _html(q.stem)
    out.append(
        f'        <presentation>\n          <material>\n            <mattext texttype="text/html">{stem}</mattext>\n'
        "          </material>\n"
    )
    general = q.explanation
    if isinstance(q, NumericQuestion):
        general += trap_feedback_list(q)
        out.append(
            '          <response_str ident="response1" rcardinality="Single">\n            <render_fib fibtype="Decimal">\n'
            '              <response_label ident="answer1"/>\n            </render_fib>\n          </response_str>\n'
        )
    elif isinstance(q, ShapeQuestion):
        general += trap_feedback_list(q)
        out.append(
            '          <response_str ident="response1" rcardinality="Single">\n            <render_fib>\n'
            '              <response_label ident="answer1" rshuffle="No"/>\n            </render_fib>\n'
            "          </response_str>\n"
        )
    else:
        card = "Single" if isinstance(q, MultipleChoiceQuestion) else "Multiple"
        out.append(f'          <response_lid ident="response1" rcardinality="{card}">\n            <render_choice>\n')
        for o in q.options:
            out.append(
                f'              <response_label ident="{choice_ids[o.id]}">\n                <material>\n'
                f'                  <mattext texttype="text/html">{_html(o.text)}</mattext>\n'
                "                </material>\n              </response_label>\n"
            )
        out.append("            </render_choice>\n          </response_lid>\n")
    out.append("        </presentation>\n")
    out.append(
        '        <resprocessing>\n          <outcomes>\n            <decvar maxvalue="100" minvalue="0" '
        'varname="SCORE" vartype="Decimal"/>\n          </outcomes>\n'
    )
    out.append(_feedback_cond("              <other/>", "general_fb"))
    if isinstance(q, NumericQuestion):
        tol = absolute_tolerance(q)
        lo, hi = q.key - tol, q.key + tol
        out.append(
            _set_correct(
                "              <or>\n"
                f'                <varequal respident="response1">{number(q.key)}</varequal>\n'
                f'                <and>\n                  <vargte respident="response1">{number(lo)}</vargte>\n'
                f'                  <varlte respident="response1">{number(hi)}</varlte>\n                </and>\n'
                "              </or>"
            )
        )
    elif isinstance(q, ShapeQuestion):
        out.append(
            _set_correct(
                "\n".join(
                    f'              <varequal respident="response1">{escape(a, quote=False)}</varequal>'
                    for a in accepted_shapes(q)
                )
            )
        )
    else:
        for o in q.options:
            out.append(
                _feedback_cond(
                    f'              <varequal respident="response1">{choice_ids[o.id]}</varequal>',
                    f"{choice_ids[o.id]}_fb",
                )
            )
        if isinstance(q, MultipleChoiceQuestion):
            out.append(_set_correct(f'              <varequal respident="response1">{choice_ids[q.key]}</varequal>'))
        else:
            conds = [
                f'                <varequal respident="response1">{choice_ids[o.id]}</varequal>'
                if o.correct
                else f'                <not>\n                  <varequal respident="response1">{choice_ids[o.id]}</varequal>\n                </not>'
                for o in q.options
            ]
            out.append(_set_correct("              <and>\n" + "\n".join(conds) + "\n              </and>"))
    out.append("        </resprocessing>\n")
    out.append(_itemfeedback("general_fb", _html(general)))
    if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
        for o in q.options:
            out.append(_itemfeedback(f"{choice_ids[o.id]}_fb", _html(o.feedback)))
    out.append("      </item>\n")
    return "".join(out)


def assessment_xml(title: str, ident: str, questions: list[ExamQuestion], attempts: int | None) -> str:
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<questestinterop {_NS_QTI}>\n'
        f'  <assessment ident="text2qti_assessment_{ident}" title="{escape(title)}">\n'
        "    <qtimetadata>\n      <qtimetadatafield>\n        <fieldlabel>cc_maxattempts</fieldlabel>\n"
        f"        <fieldentry>{attempts or 1}</fieldentry>\n      </qtimetadatafield>\n    </qtimetadata>\n"
        '    <section ident="root_section">\n'
    )
    items = "".join(item_xml(eq, _id(ident, eq.number, eq.question.uid)) for eq in questions)
    return head + items + "    </section>\n  </assessment>\n</questestinterop>\n"


def meta_xml(exam: Exam, title: str, ident: str, questions: list[ExamQuestion]) -> str:
    """Canvas's quiz settings (a subset of what text2qti writes: title, points, shuffling, attempts, times)."""
    bp = exam.blueprint
    sch = bp.schedule
    points = number(sum(q.points for q in questions))

    def when(t: dt.datetime | None) -> str:
        return "" if t is None else t.isoformat()

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<quiz identifier="text2qti_assessment_{ident}" xmlns="http://canvas.instructure.com/xsd/cccv1p0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://canvas.instructure.com/xsd/'
        'cccv1p0 https://canvas.instructure.com/xsd/cccv1p0.xsd">\n'
        f"  <title>{escape(title)}</title>\n  <description></description>\n"
        f"  <shuffle_answers>{str(bp.shuffle_options).lower()}</shuffle_answers>\n"
        "  <scoring_policy>keep_highest</scoring_policy>\n  <quiz_type>assignment</quiz_type>\n"
        f"  <points_possible>{points}</points_possible>\n"
        f"  <allowed_attempts>{sch.attempts or 1}</allowed_attempts>\n"
        + (f"  <time_limit>{sch.time_limit_min}</time_limit>\n" if sch.time_limit_min else "")
        + f"  <unlock_at>{when(sch.opens)}</unlock_at>\n  <lock_at>{when(sch.closes)}</lock_at>\n"
        "  <available>false</available>\n</quiz>\n"
    )


def manifest_xml(idents: list[str]) -> str:
    resources = []
    for ident in idents:
        a = f"text2qti_assessment_{ident}"
        resources.append(
            f'    <resource identifier="{a}" type="imsqti_xmlv1p2">\n      <file href="{a}/{a}.xml"/>\n'
            f'      <dependency identifierref="text2qti_dependency_{ident}"/>\n    </resource>\n'
            f'    <resource identifier="text2qti_dependency_{ident}" type="associatedcontent/imscc_xmlv1p1/'
            f'learning-application-resource" href="{a}/assessment_meta.xml">\n'
            f'      <file href="{a}/assessment_meta.xml"/>\n    </resource>\n'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest identifier="text2qti_manifest_{_id(*idents)}" '
        'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        "  <metadata>\n    <schema>IMS Content</schema>\n    <schemaversion>1.1.3</schemaversion>\n  </metadata>\n"
        "  <organizations/>\n  <resources>\n" + "".join(resources) + "  </resources>\n</manifest>\n"
    )


def export(exam: Exam, out: Path) -> list[Path]:
    path = out / "exam.qti.zip"
    idents: list[str] = []
    # zlib lets go of the GIL while it deflates: one thread compresses and writes (in order) while this one writes
    # the next assessment's XML
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z, ThreadPoolExecutor(1) as writer:
        pending: list[Future[None]] = []
        for student, se in variants(exam):
            ident = _id(exam.title, exam.blueprint.seed, student or "")
            idents.append(ident)
            title = exam.title + (f" ({student})" if student else "")
            a = f"text2qti_assessment_{ident}"
            xml = assessment_xml(title, ident, se.questions, exam.blueprint.schedule.attempts)
            pending.append(writer.submit(z.writestr, f"{a}/{a}.xml", xml))
            pending.append(
                writer.submit(z.writestr, f"{a}/assessment_meta.xml", meta_xml(exam, title, ident, se.questions))
            )
        pending.append(writer.submit(z.writestr, "imsmanifest.xml", manifest_xml(idents)))
        for f in pending:
            f.result()
    return [path]
