"""The guide's body text, as its readability is measured.

Body text is the wording of every statement (``data-statement`` elements, banner included),
without what is not ours to simplify: label quotes (``<q>``), names of trials and study arms
(``.name``) and footnote markers (``<sup>``). Headings, the header, the contents list, the
sources and the footer are not body text.
"""

from __future__ import annotations

from html.parser import HTMLParser

_SKIP_TAGS = frozenset({"q", "sup"})
_SKIP_CLASSES = frozenset({"name"})
_VOID = frozenset({"br", "img", "meta", "link", "hr", "input", "wbr"})


class _BodyText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, statement, skipped)
        self.chunks: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        statement = "data-statement" in a
        skipped = tag in _SKIP_TAGS or bool(classes & _SKIP_CLASSES)
        self.stack.append((tag, statement, skipped))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            open_tag, statement, _ = self.stack.pop()
            if statement:
                text = " ".join("".join(self.current).split())
                if text:
                    self.chunks.append(text)
                self.current = []
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        in_statement = any(s for _, s, _ in self.stack)
        if in_statement and not any(k for _, _, k in self.stack):
            self.current.append(data)


def body_text(html: str) -> str:
    """The statements' plain wording, one statement per line."""
    parser = _BodyText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.chunks)
