"""The unit reporting round trip under its old name: templates out (exports.template_export), filled ones back (exports.template_import_xlsx)."""

from exports.template_export import (
    FIRST_DATA_ROW,
    FORMAT,
    FORMAT_VERSION,
    ID_SHEET,
    SHEET,
    export_templates,
    template_file_name,
)
from exports.template_import_xlsx import (
    FileOutcome,
    ImportReport,
    Problem,
    import_templates,
    read_template,
)

__all__ = [
    "FIRST_DATA_ROW",
    "FORMAT",
    "FORMAT_VERSION",
    "ID_SHEET",
    "SHEET",
    "FileOutcome",
    "ImportReport",
    "Problem",
    "export_templates",
    "import_templates",
    "read_template",
    "template_file_name",
]
