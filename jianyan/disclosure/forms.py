"""Reading the redaction editor's form: one passage per line for each field."""

from jianyan.disclosure.redaction import FIELDS, parse_lines


def redactions_from(post) -> dict[str, list[str]]:
    return {field: parse_lines(post.get(f"hide_{field}", "")) for field in FIELDS}


def editor_text(redactions: dict) -> dict[str, str]:
    return {field: "\n".join(redactions.get(field, [])) for field in FIELDS}
