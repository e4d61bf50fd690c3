"""Helpers for the CSV files people open in a spreadsheet."""

# Spreadsheets (Excel first) read a CSV as UTF-8 only when it starts with a byte-order mark.
EXCEL_BOM = "\ufeff"


class Echo:
    """A file-like object whose write() returns the text, for csv.writer to stream through."""

    def write(self, text):
        return text


def cell(text):
    """Free text for a spreadsheet cell: a leading = + - @ would make a spreadsheet run it as a formula."""
    text = str(text if text is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
