"""A test oracle: read a QTI 1.2 zip and run its response processing as the spec defines it.

Conditions are evaluated in order; a true ``respcondition`` applies its
``setvar`` (Set or Add) and stops processing unless ``continue="Yes"``.
``varequal`` compares numbers as numbers when both sides are numbers (Canvas's
numerical answers), identifiers as text; ``vargte``/``varlte`` compare numbers.
A fill-in blank (a ``response_lid`` of a fill_in_multiple_blanks_question)
receives typed text, which Canvas maps to the label whose text it equals.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any

from lxml import etree


def strip_namespaces(root: etree._Element) -> etree._Element:
    """Return a copy of a tree with namespace-free tags and no xmlns/xsi attributes."""
    root = etree.fromstring(etree.tostring(root))
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        for name in list(el.attrib):
            if name.startswith("{"):
                del el.attrib[name]
    etree.cleanup_namespaces(root)
    return root


@dataclass
class Item:
    ident: str
    title: str
    meta: dict[str, str]
    text: str
    labels: dict[str, dict[str, str]]      # response ident -> {label ident: label text}
    cardinality: dict[str, str]
    conditions: list[etree._Element]
    feedback: dict[str, str] = field(default_factory=dict)

    @property
    def qtype(self) -> str:
        return self.meta["question_type"]


@dataclass
class Package:
    files: dict[str, bytes]
    assessment: etree._Element                       # namespace-stripped
    groups: list[tuple[str, int, list[Item]]]        # section title, selection_number, items
    settings: dict[str, str] = field(default_factory=dict)  # assessment_meta.xml, as Canvas reads it
    web_files: list[str] = field(default_factory=list)      # the manifest's webcontent files

    @property
    def max_attempts(self) -> str:
        """The assessment's cc_maxattempts (Canvas reads it as well as allowed_attempts)."""
        for f in self.assessment.findall("assessment/qtimetadata/qtimetadatafield"):
            if f.findtext("fieldlabel") == "cc_maxattempts":
                return f.findtext("fieldentry")
        return ""


def read(data: bytes) -> Package:
    """Return the parsed package: every file, the assessment, its groups and items."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    manifest = strip_namespaces(etree.fromstring(files["imsmanifest.xml"]))
    qti = [r for r in manifest.iter("resource") if r.get("type") == "imsqti_xmlv1p2"]
    assert len(qti) == 1, "one assessment resource"
    href = qti[0].find("file").get("href")
    root = strip_namespaces(etree.fromstring(files[href]))
    groups = []
    for section in root.find("assessment/section").findall("section"):
        number = int(section.findtext("selection_ordering/selection/selection_number"))
        groups.append((section.get("title"), number, [_item(i) for i in section.findall("item")]))
    settings = {}
    for r in manifest.iter("resource"):
        if r.get("type", "").startswith("associatedcontent") and r.get("href", "").endswith("assessment_meta.xml"):
            meta = strip_namespaces(etree.fromstring(files[r.get("href")]))
            settings = {el.tag: (el.text or "") for el in meta if len(el) == 0}
    web = [f.get("href") for r in manifest.iter("resource") if r.get("type") == "webcontent"
           for f in r.iter("file")]
    return Package(files, root, groups, settings, web)


def _item(el: etree._Element) -> Item:
    meta = {f.findtext("fieldlabel"): f.findtext("fieldentry") or ""
            for f in el.findall("itemmetadata/qtimetadata/qtimetadatafield")}
    pres = el.find("presentation")
    labels, cards = {}, {}
    for resp in pres:
        if resp.tag in ("response_lid", "response_str"):
            labels[resp.get("ident")] = {
                lab.get("ident"): "".join(lab.itertext()) for lab in resp.iter("response_label")}
            cards[resp.get("ident")] = resp.get("rcardinality", "Single")
    feedback = {fb.get("ident"): "".join(fb.itertext()) for fb in el.findall("itemfeedback")}
    return Item(el.get("ident"), el.get("title"), meta, pres.findtext("material/mattext"),
                labels, cards, el.findall("resprocessing/respcondition"), feedback)


def _num(text: Any) -> float | None:
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def _test(cond: etree._Element, responses: dict[str, Any]) -> bool:
    tag = cond.tag
    if tag == "conditionvar" or tag == "and":
        return all(_test(c, responses) for c in cond)
    if tag == "or":
        return any(_test(c, responses) for c in cond)
    if tag == "not":
        (inner,) = list(cond)
        return not _test(inner, responses)
    if tag == "other":
        return True
    value = responses.get(cond.get("respident"))
    if value is None:
        return False
    want = cond.text or ""
    if tag == "varequal":
        if isinstance(value, (set, frozenset)):
            return want in value
        a, b = _num(value), _num(want)
        return a == b if a is not None and b is not None else str(value) == want
    x, bound = _num(value), _num(want)
    if x is None or bound is None:
        return False
    if tag == "vargte":
        return x >= bound
    if tag == "varlte":
        return x <= bound
    if tag == "vargt":
        return x > bound
    if tag == "varlt":
        return x < bound
    raise AssertionError(f"no rule for <{tag}>")


def process(item: Item, responses: dict[str, Any]) -> tuple[float, list[str]]:
    """Return SCORE (0..100) and the feedback idents shown for the given responses."""
    score = Decimal(0)  # decimal, as the values are written
    shown = []
    for rc in item.conditions:
        if not _test(rc.find("conditionvar"), responses):
            continue
        for sv in rc.findall("setvar"):
            assert sv.get("varname") == "SCORE"
            action, amount = sv.get("action", "Set"), Decimal(sv.text.strip())
            score = amount if action == "Set" else score + amount if action == "Add" else None
            assert score is not None, f"unexpected setvar action {action}"
        shown += [d.get("linkrefid") for d in rc.findall("displayfeedback")]
        if rc.get("continue", "No") == "No":
            break
    return float(score), shown


def typed(item: Item, blank_texts: dict[str, str]) -> dict[str, Any]:
    """Return the responses Canvas records when a student types these texts into the blanks."""
    out = {}
    for rid, text in blank_texts.items():
        hits = [i for i, t in item.labels[rid].items() if t.strip().lower() == str(text).strip().lower()]
        out[rid] = hits[0] if hits else str(text)
    return out
