"""The finance spreadsheet as finance opens it: which awards and payments, the totals, the cells; the CLI."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports import finance_spreadsheet as finance_writer
from grants.extensions import db
from grants.finance_export import queries
from grants.finance_export import spreadsheet as finance_export
from grants.finance_export.queries import FinanceExportError, programme_export
from grants.models import Award, Organisation
from tests.datasets.finance import FROM, NASTY_NAMES, TO, build_finance_data, database_totals, pence, sheet_rows
from tests.finance_export.helpers import database_totals_by, read_csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.fixture
def data(db_session):
    return build_finance_data()


def _export(data, **kwargs):
    return programme_export(db.session, data.programme.code, FROM, TO, **kwargs)


def _workbook(data, **kwargs):
    buffer = io.BytesIO()
    written = finance_export.write_xlsx(db.session, _export(data, **kwargs), buffer)
    buffer.seek(0)
    return load_workbook(buffer), written


def _summary(book):
    return {(row["Totals by"], row["Name"]): row for row in sheet_rows(book["Summary"])}


# -- which rows -------------------------------------------------------------------------------------
def test_awards_sheet_lists_the_awards_decided_in_the_period_by_uk_date_whatever_their_state(data):
    book, written = _workbook(data)
    rows = sheet_rows(book["Awards"])

    assert [row["Reference"] for row in rows] == [a.public_reference for a in data.in_period]
    assert {row["State"] for row in rows} >= {"Active", "Declined", "Closed", "Offered", "Suspended"}
    assert written.award_rows == len(data.in_period)


def test_a_decision_just_after_midnight_in_the_uk_is_dated_that_day(data):
    book, _ = _workbook(data)
    decided = {row["Reference"]: row["Decision date"] for row in sheet_rows(book["Awards"])}

    assert decided["FIN-0001"].date() == date(2022, 4, 1)  # 23:30 UTC on 31 March 2022
    assert decided["FIN-0006"].date() == date(2023, 3, 31)  # 22:30 UTC, 23:30 BST


def test_payments_due_sheet_lists_the_instalments_due_in_the_period_with_their_return_and_payment(data):
    book, written = _workbook(data)
    rows = {row["Reference"]: row for row in sheet_rows(book["Payments due"])}

    expected = {f"{p.award.public_reference}-P{p.instalment}" for p in data.due_in_period}
    assert set(rows) == expected
    assert "FIN-0002-P2" not in rows  # due on 1 April 2023
    tied = rows["FIN-0001-P2"]
    assert (tied["Tied monitoring return"], tied["Return state"]) == ("Q1 2022-23", "Accepted")
    assert tied["State"] == "Approved for payment"
    paid = rows["FIN-0002-P1"]
    assert paid["Paid on"].date() == date(2022, 7, 2)
    assert paid["Finance reference"] == "BACS-002"
    assert rows["FIN-0008-P1"]["Due date"].date() == date(2023, 3, 15)
    assert written.payment_rows == len(expected)


# -- totals ---------------------------------------------------------------------------------------
def test_every_total_in_the_summary_equals_the_database_to_the_penny(data):
    book, written = _workbook(data)
    summary = _summary(book)
    expected = database_totals(data)

    total = summary[("All awards", "Total")]
    assert total["Awards"] == expected["awards"]
    assert pence(total["Amount awarded (£)"]) == expected["awarded"]
    assert pence(total["Amount at decision (£)"]) == expected["at_decision"]
    assert pence(total["Paid (£)"]) == expected["paid"]
    assert pence(total["Outstanding (£)"]) == expected["outstanding"]
    assert written.totals.awarded_pence == expected["awarded"]

    for column, grouping, labels in (
        (
            Award.budget_stream,
            "Budget stream",
            {"community_safety": "Community Safety", "victims_of_crime": "Victims of Crime"},
        ),
        (Organisation.district, "District", {"leeds": "Leeds", "bradford": "Bradford"}),
    ):
        by_group = database_totals_by(data, column)
        shown = {name: row for (kind, name), row in summary.items() if kind == grouping}
        assert set(shown) == {labels.get(key, "Not recorded") for key in by_group}
        for key, (count, amount) in by_group.items():
            row = shown[labels.get(key, "Not recorded")]
            assert (row["Awards"], pence(row["Amount awarded (£)"])) == (count, amount)


def test_the_awards_sheet_adds_up_to_the_summary(data):
    book, _ = _workbook(data)
    rows = sheet_rows(book["Awards"])
    total = _summary(book)[("All awards", "Total")]

    for column in ("Amount awarded (£)", "Amount at decision (£)", "Paid (£)", "Outstanding (£)"):
        assert sum(pence(row[column] or 0) for row in rows) == pence(total[column]), column


def test_outstanding_is_what_is_left_to_pay_and_nothing_on_a_declined_or_closed_award(data):
    book, _ = _workbook(data)
    rows = {row["Reference"]: row for row in sheet_rows(book["Awards"])}

    assert pence(rows["FIN-0001"]["Paid (£)"]) == 375_025
    assert pence(rows["FIN-0001"]["Outstanding (£)"]) == 750_050 - 375_025
    assert pence(rows["FIN-0003"]["Outstanding (£)"]) == 0  # declined
    assert pence(rows["FIN-0004"]["Outstanding (£)"]) == 0  # closed, 250,000 paid of 300,000
    assert pence(rows["FIN-0004"]["Paid (£)"]) == 250_000


def test_payments_due_sheet_adds_up_to_the_database(data):
    book, written = _workbook(data)
    rows = sheet_rows(book["Payments due"])

    assert sum(pence(row["Amount (£)"]) for row in rows) == database_totals(data)["due"]
    assert written.payments_due_pence == database_totals(data)["due"]


def test_rows_stream_in_batches_and_come_out_the_same(data, monkeypatch):
    whole, _ = _workbook(data)
    monkeypatch.setattr(queries, "BATCH", 2)
    batched, _ = _workbook(data)

    for title in ("Awards", "Payments due", "Summary"):
        assert list(batched[title].iter_rows(values_only=True)) == list(whole[title].iter_rows(values_only=True))


# -- cells ----------------------------------------------------------------------------------------
def test_dates_are_date_cells_and_money_is_numeric_in_pounds(data):
    book, _ = _workbook(data)
    ws = book["Awards"]
    header = [cell.value for cell in ws[1]]
    row = ws[2]
    amount = row[header.index("Amount awarded (£)")]
    decided = row[header.index("Decision date")]

    assert amount.data_type == "n" and amount.number_format == '"£"#,##0.00'
    assert pence(amount.value) == 750_050
    assert decided.is_date and decided.number_format == "dd/mm/yyyy"
    assert isinstance(decided.value, datetime)
    payments = book["Payments due"]
    due = payments[2][2]
    assert due.is_date and payments[2][3].number_format == '"£"#,##0.00'
    assert book["Summary"][2][2].data_type == "n"  # the awards count


def test_each_sheet_has_a_bold_frozen_header_a_filter_and_set_widths(data):
    book, _ = _workbook(data)

    assert book.sheetnames[:3] == ["Awards", "Payments due", "Summary"]
    for title, columns in (("Awards", "P"), ("Payments due", "I"), ("Summary", "G")):
        ws = book[title]
        assert ws.freeze_panes == "A2", title
        assert all(cell.font.bold for cell in ws[1]), title
        assert ws.auto_filter.ref == f"A1:{columns}{ws.max_row}", title
        assert ws.column_dimensions["A"].width > 10 and ws.column_dimensions["B"].width > 10, title


def test_formula_like_names_and_references_come_out_as_text(data):
    book, _ = _workbook(data)
    names = [row["Organisation"] for row in sheet_rows(book["Awards"])]

    for nasty in NASTY_NAMES:
        assert "'" + nasty in names
    finance_refs = [row["Finance reference"] for row in sheet_rows(book["Payments due"])]
    assert "'=CMD|calc" in finance_refs
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)


def test_numbers_that_are_text_stay_text_with_their_leading_zeros(data):
    book, _ = _workbook(data, with_bank_details=True)
    row = sheet_rows(book["Awards"])[0]

    assert row["Company number"] == "01234567"
    assert row["Charity number"] == "1234567"
    assert row["Account number"] == "12345678"


def test_bank_details_are_masked_unless_the_export_is_for_finance(data):
    masked, _ = _workbook(data)
    full, _ = _workbook(data, with_bank_details=True)
    masked_row = {r["Reference"]: r for r in sheet_rows(masked["Awards"])}["FIN-0006"]
    full_row = {r["Reference"]: r for r in sheet_rows(full["Awards"])}["FIN-0006"]

    assert (masked_row["Sort code"], masked_row["Account number"]) == ("**-**-21", "****4321")
    assert (full_row["Sort code"], full_row["Account number"]) == ("65-43-21", "87654321")
    assert masked_row["Name on the bank account"] == "Calm Waters Trust"
    about = dict(masked["About"].iter_rows(values_only=True))
    assert about["Bank details"].startswith("Masked")
    assert dict(full["About"].iter_rows(values_only=True))["Bank details"].startswith("Shown in full")
    everything = " ".join(str(c) for ws in masked.worksheets for r in ws.iter_rows(values_only=True) for c in r)
    assert "87654321" not in everything and "654321" not in everything


def test_an_empty_period_still_gives_every_sheet_with_zero_totals(data):
    export = programme_export(db.session, data.programme.code, date(2030, 1, 1), date(2030, 12, 31))
    buffer = io.BytesIO()
    finance_export.write_xlsx(db.session, export, buffer)
    book = load_workbook(buffer)

    assert book["Awards"].max_row == 1
    total = _summary(book)[("All awards", "Total")]
    assert total["Awards"] == 0 and pence(total["Amount awarded (£)"]) == 0


def test_a_period_running_backwards_is_refused(data):
    with pytest.raises(FinanceExportError, match="after its end"):
        programme_export(db.session, data.programme.code, TO, FROM)


# -- CSV ------------------------------------------------------------------------------------------
def _csv(data, **kwargs):
    out = io.StringIO(newline="")
    finance_export.write_csv(db.session, _export(data, **kwargs), out)
    return out.getvalue()


def test_csv_has_the_awards_sheets_rows_and_the_same_totals(data):
    text = _csv(data)
    rows = read_csv(text)
    expected = database_totals(data)

    assert text.startswith("\ufeffReference,Organisation,")
    assert [row["Reference"] for row in rows] == [a.public_reference for a in data.in_period]
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == expected["awarded"]
    assert sum(pence(row["Paid (£)"]) for row in rows) == expected["paid"]
    assert sum(pence(row["Outstanding (£)"]) for row in rows) == expected["outstanding"]
    first = rows[0]
    assert first["Amount awarded (£)"] == "7500.50"
    assert first["Decision date"] == "2022-04-01"


def test_csv_escapes_formula_like_text_and_masks_bank_details(data):
    rows = read_csv(_csv(data))

    names = [row["Organisation"] for row in rows]
    for nasty in NASTY_NAMES:
        assert "'" + nasty in names
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS)
    assert {row["Account number"] for row in rows} <= {"****5678", "****4321", ""}
    full = read_csv(_csv(data, with_bank_details=True))
    assert "87654321" in {row["Account number"] for row in full}


# -- the command ----------------------------------------------------------------------------------
def _run(app, *args):
    return app.test_cli_runner().invoke(args=["grantflow", "export", "finance", *args])


PERIOD = ["--from", FROM.isoformat(), "--to", TO.isoformat()]


def test_command_writes_the_spreadsheet_and_says_what_is_in_it(app, data, tmp_path):
    target = tmp_path / "awards.xlsx"
    result = _run(app, "--programme", "FIN", *PERIOD, "-o", str(target))

    assert result.exit_code == 0, result.output
    expected = database_totals(data)
    assert f"{expected['awards']} awards" in result.output
    assert "£25,136.07 awarded" in result.output
    assert "Bank details: masked" in result.output
    book = load_workbook(target)
    assert len(sheet_rows(book["Awards"])) == expected["awards"]
    assert sheet_rows(book["Awards"])[0]["Account number"] == "****5678"
    assert [p.name for p in tmp_path.iterdir()] == ["awards.xlsx"]


def test_command_shows_bank_details_only_when_asked(app, data, tmp_path):
    target = tmp_path / "awards.xlsx"
    result = _run(app, "--programme", "FIN", *PERIOD, "-o", str(target), "--with-bank-details")

    assert result.exit_code == 0, result.output
    assert sheet_rows(load_workbook(target)["Awards"])[0]["Account number"] == "12345678"


@pytest.mark.parametrize("how", [["-o", "awards.csv"], ["-o", "awards.txt", "--format", "csv"]])
def test_command_writes_the_awards_as_csv(app, data, tmp_path, how):
    target = tmp_path / how[1]
    result = _run(app, "--programme", "FIN", *PERIOD, "-o", str(target), *how[2:])

    assert result.exit_code == 0, result.output
    rows = read_csv(target.read_text(encoding="utf-8"))
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == database_totals(data)["awarded"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--programme", "FIN", "--from", "2023-03-31", "--to", "2022-04-01"], "is after its end"),
        (["--programme", "FIN", "--from", "2022-13-01", "--to", "2023-03-31"], "--from must be a date"),
        (["--programme", "FIN", "--from", "1/4/2022", "--to", "2023-03-31"], "--from must be a date"),
        (["--programme", "FIN", "--from", "2022-04-01", "--to", "tomorrow"], "--to must be a date"),
        (["--programme", "NOPE", *PERIOD], "There is no programme with the code 'NOPE'"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(app, data, tmp_path, arguments, message):
    target = tmp_path / "awards.xlsx"
    result = _run(app, *arguments, "-o", str(target))

    assert result.exit_code != 0
    assert message in result.output
    assert "Nothing was written." in result.output
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_a_folder_that_does_not_exist(app, data, tmp_path):
    result = _run(app, "--programme", "FIN", *PERIOD, "-o", str(tmp_path / "missing" / "awards.xlsx"))

    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_a_file_name_it_cannot_tell_the_format_of(app, data, tmp_path):
    for arguments in (["-o", str(tmp_path / "awards.txt")], ["-o", str(tmp_path / "a.xlsx"), "--format", "csv"]):
        result = _run(app, "--programme", "FIN", *PERIOD, *arguments)
        assert result.exit_code != 0
        assert "Nothing was written." in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failure_half_way_leaves_no_file_and_keeps_the_old_one(app, data, tmp_path, monkeypatch):
    target = tmp_path / "awards.xlsx"
    target.write_bytes(b"last month's file")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(finance_writer, "_summary_sheet", broken)
    result = _run(app, "--programme", "FIN", *PERIOD, "-o", str(target))

    assert result.exit_code != 0
    assert "No space left on device" in result.output
    assert target.read_bytes() == b"last month's file"
    assert [p.name for p in tmp_path.iterdir()] == ["awards.xlsx"]


def test_the_file_name_says_programme_and_period(data):
    assert _export(data).filename("xlsx") == "FIN-finance-2022-04-01-to-2023-03-31.xlsx"


def test_writing_to_a_path_replaces_the_file_only_when_complete(data, tmp_path):
    target = tmp_path / "out.xlsx"
    finance_export.write_xlsx(db.session, _export(data), target)

    assert Path(target).stat().st_size > 0
    assert load_workbook(target)["Awards"].max_row == len(data.in_period) + 1


@pytest.mark.postgres_only
def test_on_postgresql_the_export_reads_one_snapshot_while_payments_are_marked_paid(committed_db, is_postgres):
    if not is_postgres:
        pytest.skip("PostgreSQL: REPEATABLE READ snapshot")
    from sqlalchemy import update

    from grants.models import Payment

    data = build_finance_data()
    before = database_totals(data)
    scheduled = next(p for p in data.due_in_period if p.state == "held")
    export = _export(data)
    db.session.commit()  # as the command and the download do: the export begins its own transaction
    chunks = finance_export.csv_chunks(db.session, export)
    header = next(chunks)  # the snapshot is taken: lookups have been read
    with db.engine.begin() as other:
        other.execute(update(Payment).where(Payment.id == scheduled.id).values(state="paid"))
    rows = read_csv(header + "".join(chunks))
    db.session.rollback()

    assert sum(pence(row["Paid (£)"]) for row in rows) == before["paid"]
    assert database_totals(data)["paid"] == before["paid"] + scheduled.amount_pence
