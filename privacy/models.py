"""The privacy notice: what Vastuu tells its users about their personal data (GDPR art. 13, 14)."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

HEADING_MARK = "## "
ITEM_MARK = "- "


@dataclass
class Block:
    """One piece of a notice's body: a subheading, a paragraph (its lines) or a list (items)."""

    kind: str  # "heading", "paragraph" or "list"
    lines: list = field(default_factory=list)

    @property
    def text(self):
        """Return the block's lines as one text, a line break between each."""
        return "\n".join(self.lines)


def body_blocks(body):
    """Return the Blocks of plain text `body`.

    A blank line ends a paragraph, a line starting with "## " is a subheading, and lines
    starting with "- " are the items of a list. Nothing else has a meaning: the text is never
    read as HTML, so the template escapes it all.
    """
    blocks = []
    for raw in (body or "").splitlines():
        line = raw.strip()
        current = blocks[-1] if blocks else None
        if not line:
            blocks.append(None)  # ends the block before; dropped below
        elif line.startswith(HEADING_MARK):
            blocks.append(Block("heading", [line[len(HEADING_MARK):].strip()]))
        elif line.startswith(ITEM_MARK):
            item = line[len(ITEM_MARK):].strip()
            if current is not None and current.kind == "list":
                current.lines.append(item)
            else:
                blocks.append(Block("list", [item]))
        elif current is not None and current.kind == "paragraph":
            current.lines.append(line)
        else:
            blocks.append(Block("paragraph", [line]))
    return [block for block in blocks if block is not None and block.text]


class PrivacyNotice(models.Model):
    """The site's one privacy notice (tietosuojaseloste), in Finnish and Swedish.

    A migration creates it with a default text; administrators edit it in the admin and
    nobody adds or deletes one. The controller is the organisation that runs this Vastuu: a
    municipality, a region or a joint authority.
    """

    title = models.CharField(_("heading"), max_length=200)
    controller = models.TextField(
        _("data controller"),
        help_text=_("The organisation responsible for the data, with its contact details and "
                    "those of its data protection officer. One item a line."))
    body = models.TextField(
        _("body"),
        help_text=_('Plain text. A blank line starts a new paragraph, a line starting with '
                    '"## " is a subheading and lines starting with "- " make a list. '
                    "Web addresses become links."))
    updated_on = models.DateField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self):
        return self.title

    @classmethod
    def current(cls):
        """Return the site's privacy notice, or None if it has been deleted; never create one."""
        return cls.objects.order_by("pk").first()

    def blocks(self):
        """Return the body as Blocks: subheadings, paragraphs and lists, in order."""
        return body_blocks(self.body)

    def controller_lines(self):
        """Return the controller's details, one item a line, without blank lines."""
        return [line.strip() for line in (self.controller or "").splitlines() if line.strip()]
