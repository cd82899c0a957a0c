"""A 考评方案 file comes from outside (`duban assess scheme --set FILE`): whatever it holds, it is refused in Chinese
or read as a scheme, and a refused one saves nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from db.assessment import MAX_SCHEME_BYTES, parse_scheme, read_scheme_file, save_scheme
from db.errors import UserError
from db.ledger import resolve_plan_id
from db.models import AssessmentScheme

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(["kind", "weight", "each", "cap", "act", "components", "x"]) | st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)
KINDS = st.sampled_from(["按期办结率", "报送及时率", "指标达标率", "逾期任务", "督办事项", "约谈", "", "=1+1"])
COMPONENT = st.fixed_dictionaries({"kind": KINDS}, optional={"weight": JSON, "each": JSON, "cap": JSON, "act": KINDS | JSON})


def _read(tmp_path, data: bytes):
    path = tmp_path / "方案.json"
    path.write_bytes(data)
    return parse_scheme(read_scheme_file(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v, ensure_ascii=False).encode()) | st.lists(COMPONENT, max_size=6).map(lambda c: json.dumps({"components": c}, ensure_ascii=False).encode()))
def test_any_file_is_read_as_a_scheme_or_refused_in_chinese(tmp_path, data):
    try:
        scheme = _read(tmp_path, data)
    except UserError as refused:
        assert refused.message and any("\u4e00" <= ch <= "\u9fff" for ch in refused.message)
    else:
        assert scheme.components


@pytest.mark.parametrize("data", [b"[" * 30000 + b"]" * 30000, b'{"a":' * 6000 + b"1" + b"}" * 6000, b"\xff\xfe" + "方案".encode("utf-16-le")])
def test_deep_nesting_and_foreign_encodings_are_refused_not_crashed(tmp_path, data):
    assert len(data) <= MAX_SCHEME_BYTES  # within the size bound: the reader itself must refuse it
    with pytest.raises(UserError):
        _read(tmp_path, data)


def test_a_refused_scheme_saves_nothing(ledger, tmp_path):
    (tmp_path / "坏.json").write_text(json.dumps({"components": [{"kind": "按期办结率", "weight": -5}]}), encoding="utf-8")
    with ledger.Session.begin() as s:
        with pytest.raises(UserError):
            save_scheme(s, resolve_plan_id(s, None), read_scheme_file(tmp_path / "坏.json"), operator="测试")
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(AssessmentScheme)) == 0
