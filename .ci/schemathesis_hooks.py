"""Schemathesis hooks for .ci/schemathesis.sh: a list import's body is an xlsx workbook, sent as
the bytes generated (the server must refuse what is not a workbook with its JSON error)."""
import schemathesis

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX)
def xlsx(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
