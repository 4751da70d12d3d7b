"""The finance spreadsheet (XLSX and CSV) for finance staff: awards, payments due, totals."""
