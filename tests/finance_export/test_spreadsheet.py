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

    expected = {f"{p.award.public_reference}-P{p.instalment}" for p in data.to_pay}
    assert set(rows) == expected == {"FIN-0001-P2", "FIN-0006-P1", "FIN-0008-P1"}
    assert "FIN-0002-P2" not in rows  # due on 1 April 2023
    assert "FIN-0002-P1" not in rows and "FIN-0004-P2" not in rows  # paid; cancelled: not due
    tied = rows["FIN-0001-P2"]
    assert (tied["Tied monitoring return"], tied["Return state"]) == ("Q1 2022-23", "Accepted")
    assert tied["State"] == "Approved for payment"
    assert rows["FIN-0006-P1"]["State"] == "Held"
    assert rows["FIN-0008-P1"]["Due date"].date() == date(2023, 3, 15)
    assert written.payment_rows == len(expected)


# -- totals ---------------------------------------------------------------------------------------
def test_every_total_in_the_summary_equals_the_database_to_the_penny(data):
    book, written = _workbook(data)
    summary = _summary(book)
    expected = database_totals(data)

    total = summary[("All awards", "Total")]
    assert total["Awards"] == expected["awards"] == 6  # the declined award is counted apart
    assert pence(total["Amount awarded (£)"]) == expected["awarded"]
    assert (total["Not going ahead"], pence(total["Not going ahead (£)"])) == (1, expected["fallen_away_pence"])
    assert pence(total["Amount at decision (£)"]) == expected["at_decision"]
    assert pence(total["Paid, gross (£)"]) == expected["paid"]
    assert pence(total["Returned (£)"]) == expected["returned"] == 12_346
    assert pence(total["Paid, net (£)"]) == expected["paid"] - expected["returned"]
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
        shown = {name: row for (kind, name), row in summary.items() if kind == grouping and row["Awards"]}
        assert set(shown) == {labels.get(key, "Not recorded") for key in by_group}
        for key, (count, amount) in by_group.items():
            row = shown[labels.get(key, "Not recorded")]
            assert (row["Awards"], pence(row["Amount awarded (£)"])) == (count, amount)


def test_the_awards_sheet_adds_up_to_the_summary(data):
    book, _ = _workbook(data)
    rows = sheet_rows(book["Awards"])
    total = _summary(book)[("All awards", "Total")]

    for column in (
        "Amount awarded (£)", "Not going ahead (£)", "Amount at decision (£)", "Paid, gross (£)", "Returned (£)",
        "Paid, net (£)", "Outstanding (£)",
    ):  # fmt: skip
        assert sum(pence(row[column] or 0) for row in rows) == pence(total[column]), column


def test_each_list_ends_with_a_total_row_whose_sums_cover_exactly_its_rows(data):
    book, _ = _workbook(data)

    for title, column, rows in (("Awards", "L", 7), ("Payments due", "D", 3), ("Returned", "D", 2)):
        ws = book[title]
        last = ws.max_row
        assert ws.cell(last, 1).value.startswith("Total") and ws.cell(last, 2).value == f"{rows} rows", title
        assert ws[f"{column}{last}"].value == f"=SUM({column}2:{column}{rows + 1})", title
        assert ws[f"{column}{last}"].number_format == '"£"#,##0.00' and ws.cell(last, 1).font.bold
        assert ws.auto_filter.ref.endswith(str(rows + 1)), title  # sorting and filtering leave the total alone
    awards = book["Awards"]
    header = [cell.value for cell in awards[1]]
    sums = [awards.cell(awards.max_row, i + 1).value for i, title in enumerate(header) if "(£)" in title]
    assert len(sums) == 7 and all(str(value).startswith("=SUM(") for value in sums)


def test_a_declined_award_is_not_going_ahead_and_returned_money_is_listed(data):
    book, _ = _workbook(data)
    rows = {row["Reference"]: row for row in sheet_rows(book["Awards"])}
    returned = sheet_rows(book["Returned"])

    declined = rows["FIN-0003"]
    assert declined["Amount awarded (£)"] is None and pence(declined["Not going ahead (£)"]) == 123_457
    closed = rows["FIN-0004"]
    assert (pence(closed["Paid, gross (£)"]), pence(closed["Returned (£)"])) == (250_000, 12_345)
    assert pence(closed["Paid, net (£)"]) == 237_655
    assert [(r["Reference"], r["Kind"], pence(r["Amount (£)"])) for r in returned] == [
        ("FIN-0007", "Clawed back", 1),
        ("FIN-0004", "Underspend returned", 12_345),
    ]
    assert returned[1]["Reason"] == "=Unspent venue hire" and returned[1]["Received on"].date() == date(2023, 3, 20)


def test_missing_bank_details_and_details_changed_since_the_last_payment_are_marked(data):
    book, _ = _workbook(data)
    check = {row["Reference"]: row["Bank details check"] for row in sheet_rows(book["Awards"])}

    assert check["FIN-0007"] == "Missing: no payment until they are given"
    assert check["FIN-0002"] == "Changed since the last payment"  # changed 1 September, paid 2 July
    assert check["FIN-0001"] is None and check["FIN-0006"] is None


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated_and_a_footer(data):
    book, _ = _workbook(data)

    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.oddFooter.left.text.startswith("FIN finance spreadsheet, 1 April 2022 to 31 March 2023; made ")
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert all(cell.alignment.wrap_text for cell in ws[1]), ws.title


def test_outstanding_is_what_is_left_to_pay_and_nothing_on_a_declined_or_closed_award(data):
    book, _ = _workbook(data)
    rows = {row["Reference"]: row for row in sheet_rows(book["Awards"])}

    assert pence(rows["FIN-0001"]["Paid, gross (£)"]) == 375_025
    assert pence(rows["FIN-0001"]["Outstanding (£)"]) == 750_050 - 375_025
    assert pence(rows["FIN-0003"]["Outstanding (£)"]) == 0  # declined
    assert pence(rows["FIN-0004"]["Outstanding (£)"]) == 0  # closed, 250,000 paid of 300,000
    assert pence(rows["FIN-0004"]["Paid, gross (£)"]) == 250_000


def test_payments_due_sheet_adds_up_to_the_database(data):
    book, written = _workbook(data)
    rows = sheet_rows(book["Payments due"])

    assert sum(pence(row["Amount (£)"]) for row in rows) == database_totals(data)["due"]
    assert written.payments_due_pence == database_totals(data)["due"]


def test_rows_stream_in_batches_and_come_out_the_same(data, monkeypatch):
    whole, _ = _workbook(data)
    monkeypatch.setattr(queries, "BATCH", 2)
    batched, _ = _workbook(data)

    for title in ("Awards", "Payments due", "Returned", "Summary"):
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

    assert book.sheetnames == ["Awards", "Payments due", "Returned", "Summary", "About"]
    for title, columns in (("Awards", "T"), ("Payments due", "I"), ("Returned", "F"), ("Summary", "K")):
        ws = book[title]
        assert ws.freeze_panes == "A2", title
        assert all(cell.font.bold for cell in ws[1]), title
        data_rows = len(sheet_rows(ws)) + 1
        assert ws.auto_filter.ref == f"A1:{columns}{data_rows}", title
        assert ws.column_dimensions["A"].width > 10 and ws.column_dimensions["B"].width > 10, title


def test_formula_like_names_and_references_come_out_as_text_exactly_as_typed(data):
    book, _ = _workbook(data)
    names = [row["Organisation"] for row in sheet_rows(book["Awards"])]

    for nasty in NASTY_NAMES:
        assert nasty in names  # no apostrophe added: the cell is typed text with the quote prefix
    reasons = [row["Reason"] for row in sheet_rows(book["Returned"])]
    assert "=Unspent venue hire" in reasons
    for ws in book.worksheets:
        last = ws.max_row
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # only the total row's sums are formulas
                    assert cell.row == last and cell.value.startswith("=SUM("), (ws.title, cell.coordinate)
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    assert not cell.value.startswith("'"), (ws.title, cell.coordinate)


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


def test_an_empty_period_is_refused_with_a_message_not_a_file_of_headers(data):
    export = programme_export(db.session, data.programme.code, date(2030, 1, 1), date(2030, 12, 31))

    with pytest.raises(FinanceExportError) as refused:
        finance_export.write_xlsx(db.session, export, io.BytesIO())

    assert str(refused.value) == (
        "Nothing to export: no award of FIN was decided from 1 January 2030 to 31 December 2030, "
        "and no instalment is due then."
    )


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
    assert sum(pence(row["Amount awarded (£)"] or "0") for row in rows) == expected["awarded"]
    assert sum(pence(row["Paid, gross (£)"]) for row in rows) == expected["paid"]
    assert sum(pence(row["Returned (£)"] or "0") for row in rows) == expected["returned"]
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
    assert "£23,901.50 awarded (1 not going ahead, £1,234.57)" in result.output
    assert "(£123.46 returned, " in result.output
    assert "Bank details: masked" in result.output
    book = load_workbook(target)
    assert len(sheet_rows(book["Awards"])) == len(data.in_period)
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
    assert load_workbook(target)["Awards"].max_row == len(data.in_period) + 2  # the header and the total


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

    assert sum(pence(row["Paid, gross (£)"]) for row in rows) == before["paid"]
    assert database_totals(data)["paid"] == before["paid"] + scheduled.amount_pence
