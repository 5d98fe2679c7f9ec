from __future__ import annotations

from offergen.evaluation.yaml_lines import line_of

TEXT = """name: x
cases:
  - id: a
    vars:
      channel: sms
  - id: b
    assert:
      - {type: released}
"""


def test_line_of_nested_fields() -> None:
    assert line_of(TEXT, ("name",)) == 1
    assert line_of(TEXT, ("cases", 0, "vars", "channel")) == 5
    assert line_of(TEXT, ("cases", 1, "assert", 0)) == 8


def test_missing_parts_stop_at_the_deepest_found() -> None:
    assert line_of(TEXT, ("cases", 1, "vars", "guard", "text")) == 6
    assert line_of(TEXT, ("cases", 0, "vars", "generate", "channel")) == 5


def test_not_yaml() -> None:
    assert line_of("a: [", ("a",)) is None
    assert line_of("", ("a",)) is None
