"""A monitoring return as the form engine fills it: its form is its question set, its answers are
ReturnSection rows and its files Documents of the return; it can be changed while its state is
"fillable"; money is limited by the award; a completed section records its metric figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grants import audit
from grants.apply import formbuilder
from grants.apply.filling import Filling
from grants.apply.questions import QuestionSetDefinition, Section
from grants.apply.services import NoQuestionSet, definition_of, vocabularies
from grants.extensions import db
from grants.formatting import london_date
from grants.models import Document, MonitoringReturn, ReturnMetric, ReturnSection
from grants.workflow_states import states

SPEND_TO_DATE = "spend_to_date"


class ReturnFilling(Filling):
    endpoint = "returns"
    id_arg = "return_id"
    section_model = ReturnSection
    holder_column = "monitoring_return_id"

    def __init__(self, monitoring_return: MonitoringReturn):
        self.holder = monitoring_return

    @property
    def monitoring_return(self) -> MonitoringReturn:
        return self.holder

    def definition(self) -> QuestionSetDefinition:
        question_set = self.monitoring_return.question_set
        if question_set is None:
            raise NoQuestionSet(self.monitoring_return.id)
        return definition_of(question_set)

    def editable(self) -> bool:
        ret = self.monitoring_return
        return ret.question_set_id is not None and ret.state in states("return", "fillable")

    def locked_reason(self) -> str:
        ret = self.monitoring_return
        if ret.question_set_id is None:
            return "This return has no online form. Your grants officer will tell you how to send it."
        if ret.state in states("return", "upcoming"):
            opens = f" on {london_date(ret.opens_on)}" if ret.opens_on else " nearer its due date"
            return f"This return opens{opens}. You cannot fill it in yet."
        if ret.state in states("return", "awaiting_sign_off"):
            return (
                "This return is waiting to be signed off, so it cannot be changed. "
                "The person signing it off can send it back to be changed."
            )
        if ret.state in states("return", "awaiting_review"):
            return "This return has been sent to the grants officer, so it can no longer be changed."
        if ret.state in states("return", "return_accepted"):
            return "This return has been accepted, so it can no longer be changed."
        return "This return is closed, so it can no longer be changed."

    def context(self, documents: dict[str, Document]) -> formbuilder.FormContext:
        ret = self.monitoring_return
        return formbuilder.FormContext(
            vocabularies=vocabularies(),
            award_pence=ret.award.amount_pence,
            delivery_starts_on=ret.period_starts_on,
            delivery_ends_on=ret.period_ends_on,
            documents=documents,
        )

    @property
    def caption(self) -> str:
        ret = self.monitoring_return
        return f"{ret.reference} · {ret.period_label}"

    def completed(self, user: Any, section: Section, values: dict[str, Any]) -> None:
        """Each metric answer becomes the return's figure for that metric (one row per metric); spend to
        date is also the return's own, and a change of it is audited."""
        ret = self.monitoring_return
        existing = {
            row.metric: row
            for row in db.session.scalars(select(ReturnMetric).where(ReturnMetric.monitoring_return_id == ret.id))
        }
        for question in section.questions:
            if not question.metric:
                continue
            value = values.get(question.key)
            row = existing.get(question.metric)
            if value is None:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(ReturnMetric(monitoring_return_id=ret.id, metric=question.metric, value=value))
            else:
                row.value = value
            if question.metric == SPEND_TO_DATE and ret.spend_to_date_pence != value:
                audit.record_on(
                    ret,
                    actor=user,
                    action="report_spend",
                    data={"from": ret.spend_to_date_pence, "to": value, "question": question.key},
                )
                ret.spend_to_date_pence = value
