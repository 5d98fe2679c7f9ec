"""Screening of text that is not copy: request fields and reviewers' notes (personal data is
refused before it can reach a prompt, a log, an error or the database) and knowledge-base text
(instructions, markup or personal data are kept out of the prompt)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from offergen.errors import InvalidInputError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.packs import INPUT_SCREENING, KB_SCREENING, Packs
from offergen.schemas import Channel, GenerateRequest, Jurisdiction

if TYPE_CHECKING:
    from offergen.store.base import AuditRecord

log = logging.getLogger(__name__)


class Screener:
    """The input- and knowledge-base screening packs of `packs`, as three questions."""

    def __init__(self, packs: Packs) -> None:
        self.packs = packs

    def request(self, request: GenerateRequest) -> None:
        """Reject request text that carries personal data before it can reach a prompt, a log
        or an error message (a card number fits the merchant_id pattern, for one), and targeting
        fields that select who gets a credit offer by a protected class."""
        c = request.customer
        fields = {
            "merchant_id": request.merchant_id,
            "customer.segment": c.segment,
            "offer.merchant": request.offer.merchant,
            "template": request.template or "",
            "model": request.model or "",
        }
        fields |= {f"customer.interests.{i}": v for i, v in enumerate(c.interests)}
        ctx = CheckContext(
            offer=request.offer, channel=request.channel, jurisdiction=request.jurisdiction
        )
        self._refuse(fields, ctx, "request text")

    def note(self, field: str, text: str, record: AuditRecord) -> None:
        """Reject text a reviewer wrote about `record` (a decision's reason) that carries
        personal data: it is stored and exported to the eval corpus."""
        ctx = CheckContext(
            offer=record.offer,
            channel=Channel(record.channel),
            jurisdiction=Jurisdiction(record.jurisdiction),
        )
        self._refuse({field: text}, ctx, f"the {field}")

    def knowledge(self, item_id: str, text: str, ctx: CheckContext) -> bool:
        """Whether knowledge-base text may reach the prompt."""
        findings = self.packs.get(KB_SCREENING).check(text, ctx).findings
        if findings:
            # Ids and rule ids only: the text itself may be the attack (or personal data).
            log.warning(
                "kept %s out of the prompt: %s", item_id, ", ".join(f.rule_id for f in findings)
            )
        return not findings

    def _refuse(self, fields: dict[str, str], ctx: CheckContext, where: str) -> None:
        found = [
            (name, f)
            for name, text in fields.items()
            for f in self.packs.get(INPUT_SCREENING).check(text, ctx).findings
            # Fairness judges who is targeted: the merchant's name or a reviewer's note is not.
            if f.check != "fairness" or name.startswith(_TARGETING)
        ]
        if not found:
            return
        reasons = []
        for check, reason in _REFUSALS.items():
            names = sorted({name for name, f in found if f.check == check})
            if names:
                reasons.append(f"{reason} {where}: {', '.join(names)}")
        raise InvalidInputError(
            "; ".join(reasons), [(name, f"contains {f.message} ({f.rule_id})") for name, f in found]
        )


_TARGETING = ("customer.segment", "customer.interests.")
# What a finding of each input-screening check means for the request, in its error message.
_REFUSALS = {
    "pii": "personal data is not accepted in",
    "fairness": "a protected class may not select who gets a credit offer, named in",
}
