"""The allow-list of what rendered Markdown may contain: a little HTML and presentation MathML."""

from __future__ import annotations

import nh3

HTML_TAGS = {"p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
             "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "a", "sub", "sup",
             "span", "del"}
# Presentation MathML (MathML Core) as latex2mathml writes it. No maction, mglyph or semantics
# annotations, and no href or event attribute anywhere.
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup",
               "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mtable",
               "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
               "mmultiscripts", "mprescripts", "none"}
_MATHML_ATTRS = {"mathvariant", "displaystyle", "scriptlevel", "mathsize"}
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "th": {"align", "scope"},
    "td": {"align"},
    "math": {"display", "xmlns"} | _MATHML_ATTRS,
    "mo": {"stretchy", "fence", "form", "separator", "lspace", "rspace", "minsize", "maxsize",
           "largeop", "movablelimits", "symmetric"} | _MATHML_ATTRS,
    "mi": _MATHML_ATTRS, "mn": _MATHML_ATTRS, "mtext": _MATHML_ATTRS, "ms": _MATHML_ATTRS,
    "mstyle": _MATHML_ATTRS,
    "mspace": {"width", "height", "depth"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mfrac": {"linethickness"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines",
               "rowlines", "frame", "displaystyle"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": {"notation"},
    "span": {"class"},
}


def clean(fragment: str) -> str:
    """Return `fragment` with everything outside the allow-list removed."""
    return nh3.clean(fragment, tags=HTML_TAGS | MATHML_TAGS, attributes=ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     strip_comments=True)
