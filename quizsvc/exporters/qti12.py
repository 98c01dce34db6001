"""Canvas QTI 1.2: a zip with imsmanifest.xml, the assessment and assessment_meta.xml.

Every family and level becomes a question group (a ``section`` with a
``selection_number``) so that Canvas draws `pick` of its variants. Numbers are
``numerical_question`` items scored as Canvas itself writes an exact answer:
``<or><varequal>v</varequal><and><vargte>lo</vargte><varlte>hi</varlte></and></or>``
with ``lo <= hi`` also for 0 and negative keys. Small integer vectors, matrices,
shapes and multi-field answers become ``fill_in_multiple_blanks_question``.
The document validates against the QTI 1.2.1 DTD, so the Canvas-only
``selection_extension`` (points per item) is left out: Canvas then gives each
drawn question 1 point, which is what we would have written. A "tick all that
apply" answer is one choice among the candidate sets (Canvas gives a multiple
answers question partial credit; the engine gives a set all or nothing). The
bank's attempt policy becomes the quiz's attempts (``allowed_attempts``,
``cc_maxattempts``), keep-highest scoring and when results and correct answers
show; what Canvas cannot express is listed in the report. Figures are files
under ``web_resources/`` referenced as ``$IMS-CC-FILEBASE$/...``.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import replace

from quizsvc.exporters.common import left_out_comment
from quizsvc.exporters.items import Blank, Item, Option, Skipped, answer_table, expression_refusal
from quizsvc.exporters.markup import decimal, escape, escape_attr, plain_number
from quizsvc.exporters.registry import Format, Options, Pick, Policy, Written, register

FILES = "web_resources/quizsvc"  # where figures go; $IMS-CC-FILEBASE$ is web_resources/

MAX_BLANKS = 64
NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that the same bank gives the same bytes
_BRACKETS = str.maketrans({"[": "&#91;", "]": "&#93;"})


def _field(label: str, entry: str) -> str:
    return (f"<qtimetadatafield><fieldlabel>{label}</fieldlabel>"
            f"<fieldentry>{escape(entry)}</fieldentry></qtimetadatafield>")


def _mat(html: str) -> str:
    return f'<material><mattext texttype="text/html">{escape(html)}</mattext></material>'


def _feedback(ident: str, html: str) -> str:
    return f'<itemfeedback ident="{escape_attr(ident)}"><flow_mat>{_mat(html)}</flow_mat></itemfeedback>'


def _head(item: Item, qtype: str, answer_ids: list[str]) -> str:
    meta = (_field("question_type", qtype) + _field("points_possible", "1.0")
            + _field("original_answer_ids", ",".join(answer_ids))
            + _field("assessment_question_identifierref", f"{item.ident}-ref")
            + _field("quizsvc_family", item.family) + _field("quizsvc_version", str(item.version))
            + _field("quizsvc_seed", str(item.seed)) + _field("quizsvc_level", item.level))
    return (f'<item ident="{escape_attr(item.ident)}" title="{escape_attr(item.title)}">'
            f"<itemmetadata><qtimetadata>{meta}</qtimetadata></itemmetadata>")


_OUTCOMES = ('<resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" '
             'vartype="Decimal"/></outcomes>'
             '<respcondition continue="Yes"><conditionvar><other/></conditionvar>'
             '<displayfeedback feedbacktype="Response" linkrefid="general_fb"/></respcondition>')


def bounds(blank: Blank) -> tuple[str, str, str]:
    """Return (exact, low, high) as decimal text; ``low <= high`` whatever the sign."""
    value, tol = decimal(blank.value), decimal(blank.tolerance)
    return plain_number(blank.value), _dec(value - tol), _dec(value + tol)


def _dec(d) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def numerical(item: Item) -> str:
    """Return a numerical_question whose one correct range holds the key and its tolerance."""
    exact, low, high = bounds(item.blanks[0])
    return (_head(item, "numerical_question", [f"{item.ident}-a"])
            + "<presentation>" + _mat(item.prompt)
            + '<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal">'
            '<response_label ident="answer1"/></render_fib></response_str></presentation>'
            + _OUTCOMES
            + '<respcondition continue="No"><conditionvar><or>'
            f'<varequal respident="response1">{exact}</varequal><and>'
            f'<vargte respident="response1">{low}</vargte><varlte respident="response1">{high}</varlte>'
            '</and></or></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>'
            "</resprocessing>" + _feedback("general_fb", item.solution) + "</item>\n")


def choice(item: Item, options: tuple[Option, ...], multiple: bool) -> str:
    """Return a multiple_choice_question (or multiple_answers_question) with per-option feedback."""
    ids = [f"{item.ident}-o{i}" for i in range(len(options))]
    labels = "".join(f'<response_label ident="{escape_attr(i)}">{_mat(o.html)}</response_label>'
                     for i, o in zip(ids, options))
    cond = ""
    for i, o in zip(ids, options):
        if o.feedback and not o.correct:
            cond += (f'<respcondition continue="Yes"><conditionvar><varequal respident="response1">'
                     f'{escape(i)}</varequal></conditionvar><displayfeedback feedbacktype="Response" '
                     f'linkrefid="{escape_attr(i)}_fb"/></respcondition>')
    if multiple:
        tests = "".join(f'<varequal respident="response1">{escape(i)}</varequal>' if o.correct else
                        f'<not><varequal respident="response1">{escape(i)}</varequal></not>'
                        for i, o in zip(ids, options))
        test = f"<and>{tests}</and>"
    else:
        right = next(i for i, o in zip(ids, options) if o.correct)
        test = f'<varequal respident="response1">{escape(right)}</varequal>'
    cond += (f'<respcondition continue="No"><conditionvar>{test}</conditionvar>'
             '<setvar action="Set" varname="SCORE">100</setvar></respcondition>')
    feedback = "".join(_feedback(f"{i}_fb", o.feedback) for i, o in zip(ids, options)
                       if o.feedback and not o.correct)
    qtype = "multiple_answers_question" if multiple else "multiple_choice_question"
    return (_head(item, qtype, ids) + "<presentation>" + _mat(item.prompt)
            + f'<response_lid ident="response1" rcardinality="{"Multiple" if multiple else "Single"}">'
            f"<render_choice>{labels}</render_choice></response_lid></presentation>"
            + _OUTCOMES + cond + "</resprocessing>" + _feedback("general_fb", item.solution)
            + feedback + "</item>\n")


def blank_text(blank: Blank) -> str:
    """Return the text a student types into a fill-in blank."""
    return blank.value if blank.kind == "choice" else plain_number(blank.value)


def fill_in_blanks(item: Item) -> str:
    """Return a fill_in_multiple_blanks_question, one ``[blank]`` per entry, equal shares."""
    n = len(item.blanks)
    # Shares in hundredths that add up to exactly 100, each within 0.01 of 100 / n.
    base, extra = divmod(10_000, n)
    share = [_dec(decimal(base + (i < extra)) / 100) for i in range(n)]
    ids = [f"{item.ident}-{b.name}" for b in item.blanks]
    lids = "".join(f'<response_lid ident="response_{b.name}"><material><mattext>{b.name}</mattext>'
                   f'</material><render_choice><response_label ident="{escape_attr(i)}"><material>'
                   f'<mattext texttype="text/plain">{escape(blank_text(b))}</mattext></material>'
                   "</response_label></render_choice></response_lid>"
                   for b, i in zip(item.blanks, ids))
    # continue="Yes": QTI stops at the first true condition unless told to go on.
    cond = "".join(f'<respcondition continue="Yes"><conditionvar><varequal respident="response_{b.name}">'
                   f"{escape(i)}</varequal></conditionvar>"
                   f'<setvar action="Add" varname="SCORE">{s}</setvar></respcondition>'
                   for b, i, s in zip(item.blanks, ids, share))
    # Square brackets in the prompt would read as blanks to Canvas: write them as references.
    html = item.prompt.translate(_BRACKETS) + answer_table(
        item, lambda b: f"[{b.name}]", lambda label: label.translate(_BRACKETS))
    return (_head(item, "fill_in_multiple_blanks_question", ids) + "<presentation>" + _mat(html)
            + lids + "</presentation>" + _OUTCOMES + cond + "</resprocessing>"
            + _feedback("general_fb", item.solution) + "</item>\n")


def _fib_ok(item: Item) -> bool:
    return len(item.blanks) <= MAX_BLANKS and all(
        (b.kind == "integer" and isinstance(b.value, int)) or (b.kind == "choice" and not b.multiple)
        for b in item.blanks)


def question(item: Item, style: str = "typed") -> str | Skipped:
    """Return the item XML of one item, or why Canvas cannot take it."""
    refused = expression_refusal(item)
    if refused is not None:
        return refused
    if style == "choice" and item.has_distractors:
        return choice(item, item.options, False)
    if item.form == "choice":  # a set answer is one choice among the candidate sets
        return choice(item, item.choice_options, False)
    if item.number_issue is None:
        if item.form == "numerical":
            return numerical(item)
        if _fib_ok(item):
            return fill_in_blanks(item)
    if item.has_distractors:
        return choice(item, item.options, False)
    reason = item.number_issue or (
        "fill-in-the-blanks needs at most 64 integer or single-choice boxes (Canvas compares "
        "their text exactly), and no catalogued mistake gives a multiple-choice version")
    return Skipped(item.ident, reason)


def figure_path(item: Item, name: str) -> str:
    """Return where a figure of an item goes in the zip (under `FILES`)."""
    return f"{FILES}/{item.ident}/{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"


def _with_figures(item: Item) -> Item:
    if not item.figures:
        return item
    base = "$IMS-CC-FILEBASE$/" + FILES.split("/", 1)[1]
    html = "".join(f'<p><img src="{base}/{item.ident}/{figure_path(item, f.name).rsplit("/", 1)[1]}" '
                   f'alt="{escape_attr(f.alt)}"></p>' for f in item.figures)
    return replace(item, prompt=item.prompt + html)


def attempts(policy: Policy | None) -> tuple[dict[str, str], list[str]]:
    """Return Canvas's quiz settings for a bank's attempt policy, and what they cannot say."""
    if policy is None:
        return {"allowed_attempts": "1", "cc_maxattempts": "1", "show_correct_answers": "true",
                "show_correct_answers_last_attempt": "false", "hide_results": ""}, []
    n = policy.max_attempts
    out = {"allowed_attempts": str(n) if n else "-1", "cc_maxattempts": str(n) if n else "unlimited",
           "show_correct_answers": "true", "show_correct_answers_last_attempt": "false",
           "hide_results": ""}
    notes = []
    key = policy.show_key
    if key in ("after_last_attempt", "after_correct_or_last_attempt"):
        # The worked solution is question feedback, shown with the results: hide both until then.
        out.update(show_correct_answers_last_attempt="true", hide_results="until_after_last_attempt")
        if key == "after_correct_or_last_attempt":
            notes.append("show_key after_correct_or_last_attempt: Canvas shows answers after the "
                         "last attempt only, not once a student is right; the quiz waits for the "
                         "last attempt")
    elif key in ("never", "after_correct"):
        out.update(show_correct_answers="false", hide_results="always")
        notes.append(f"show_key {key}: Canvas cannot " + (
            "show a key once a question is answered correctly" if key == "after_correct" else
            "show scores without the question feedback (the worked solution)")
            + "; results are hidden (students see their quiz score in the gradebook)")
    if n is None:
        notes.append("unlimited attempts: Canvas keeps the highest quiz score; quizsvc keeps "
                     "each problem's best")
    else:
        notes.append(f"{n} attempts at the whole quiz in Canvas (quizsvc counts attempts per "
                     "problem), keeping the highest score")
    return out, notes


def assessment(items: Iterable[Item], *, ident: str, title: str, style: str, pick: Pick,
               max_attempts: str = "1", notes: list[str] = ()) -> tuple[str, list[Skipped], int, int]:
    """Return the assessment XML, the items left out, items written and points possible."""
    groups: dict[tuple[str, str], list[str]] = {}
    skipped: list[Skipped] = []
    for item in items:
        q = question(_with_figures(item), style)
        if isinstance(q, Skipped):
            skipped.append(q)
        else:
            groups.setdefault((item.family, item.level), []).append(q)
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<questestinterop xmlns="{NS}">'
           f'<assessment ident="{escape_attr(ident)}" title="{escape_attr(title)}"><qtimetadata>'
           + _field("cc_maxattempts", max_attempts) + '</qtimetadata><section ident="root_section">\n']
    points = count = 0
    for (family, level), questions in groups.items():
        want = pick.get((family, level)) if isinstance(pick, dict) else pick
        drawn = len(questions) if not want else min(want, len(questions))
        points += drawn
        count += len(questions)
        out.append(f'<section ident="{escape_attr(f"{ident}-{family}-{level}")}" '
                   f'title="{escape_attr(f"{family} ({level})")}"><selection_ordering><selection>'
                   f"<selection_number>{drawn}</selection_number></selection></selection_ordering>\n")
        out.extend(questions)
        out.append("</section>\n")
    out.append("</section></assessment>" + left_out_comment(skipped, list(notes))
               + "</questestinterop>\n")
    return "".join(out), skipped, count, points


def manifest(ident: str, files: list[str] = ()) -> str:
    """Return imsmanifest.xml naming the assessment, its Canvas settings file and its figures."""
    web = "".join(f'<resource identifier="{ident}-f{i}" type="webcontent" href="{escape_attr(f)}">'
                  f'<file href="{escape_attr(f)}"/></resource>' for i, f in enumerate(files))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest identifier="{ident}-manifest" '
            'xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">'
            "<metadata><schema>IMS Content</schema><schemaversion>1.1.3</schemaversion></metadata>"
            "<organizations/><resources>"
            f'<resource identifier="{ident}" type="imsqti_xmlv1p2"><file href="{ident}/{ident}.xml"/>'
            f'<dependency identifierref="{ident}-meta"/></resource>'
            f'<resource identifier="{ident}-meta" type="associatedcontent/imscc_xmlv1p1/'
            f'learning-application-resource" href="{ident}/assessment_meta.xml">'
            f'<file href="{ident}/assessment_meta.xml"/></resource>{web}</resources></manifest>\n')


def assessment_meta(ident: str, title: str, points: int, settings: dict[str, str] | None = None) -> str:
    """Return assessment_meta.xml: Canvas's quiz settings (an unpublished graded quiz)."""
    t = escape(title)
    settings = settings or attempts(None)[0]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz identifier="{ident}" '
            'xmlns="http://canvas.instructure.com/xsd/cccv1p0">'
            f"<title>{t}</title><description>{escape('<p>Generated by quizsvc.</p>')}</description>"
            "<shuffle_answers>true</shuffle_answers><scoring_policy>keep_highest</scoring_policy>"
            f"<hide_results>{settings['hide_results']}</hide_results><quiz_type>assignment</quiz_type>"
            f"<points_possible>{points}.0</points_possible>"
            f"<show_correct_answers>{settings['show_correct_answers']}</show_correct_answers>"
            "<show_correct_answers_last_attempt>"
            f"{settings['show_correct_answers_last_attempt']}</show_correct_answers_last_attempt>"
            "<anonymous_submissions>false</anonymous_submissions><could_be_locked>false</could_be_locked>"
            f"<allowed_attempts>{settings['allowed_attempts']}</allowed_attempts>"
            "<one_question_at_a_time>false</one_question_at_a_time>"
            "<cant_go_back>false</cant_go_back><available>false</available>"
            f'<assignment identifier="{ident}-assignment"><title>{t}</title>'
            "<workflow_state>unpublished</workflow_state>"
            f"<quiz_identifierref>{ident}</quiz_identifierref>"
            f"<points_possible>{points}.0</points_possible><grading_type>points</grading_type>"
            "<submission_types>online_quiz</submission_types></assignment></quiz>\n")


def write(items: list[Item], options: Options) -> Written:
    """Return the QTI zip of `items`, with the items left out."""
    title, style, pick = options.title, options.style, options.pick
    items = list(items)
    digest = hashlib.sha256("\n".join([title, style, repr(pick), *(i.ident for i in items)]).encode())
    ident = "qs" + digest.hexdigest()[:20]
    settings, notes = attempts(options.policy)
    xml, skipped, count, points = assessment(items, ident=ident, title=title, style=style, pick=pick,
                                             max_attempts=settings["cc_maxattempts"], notes=notes)
    left = {s.ident for s in skipped}
    figures = [(figure_path(i, f.name), f.svg) for i in items if i.ident not in left for f in i.figures]
    # A solution figure shows the answer, and a Canvas item has no place kept for the worked
    # solution only: those figures are left out, and said so.
    notes = list(notes) + [
        f"{i.ident}: solution figures left out ({', '.join(f.name for f in i.solution_figures)}): "
        "they show the answer and a Canvas item has no solution-only place for them"
        for i in items if i.ident not in left and i.solution_figures]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
            zf.writestr(info, text.encode("utf-8"))
        put("imsmanifest.xml", manifest(ident, [path for path, _ in figures]))
        put("non_cc_assessments/", "")
        put(f"{ident}/assessment_meta.xml", assessment_meta(ident, title, points, settings))
        put(f"{ident}/{ident}.xml", xml)
        for path, svg in figures:
            put(path, svg)
    return Written(buf.getvalue(), count, skipped, notes)


REGISTERED = register(Format("qti12", "Canvas QTI 1.2", "application/zip", ".zip", write,
                         "Canvas quiz package: question groups, numerical, fill-in and "
                         "multiple-choice questions", filename_suffix="-qti"))
