"""The monthly 综合考评: a December scored by hand, collectives left out, stored months kept, bad schemes refused, the CLI."""

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from db.assessment import (
    DEFAULT_SCHEME,
    act_facts,
    assess_month,
    current_scheme,
    gather_facts,
    indicator_facts,
    month_assessment,
    save_scheme,
    score_month,
    stored_month,
)
from db.decisions import extend, sign_off
from db.errors import UserError
from db.ledger import get_task, resolve_plan_id
from db.models import AssessmentResult, AssessmentScheme, AuditLog, Unit
from db.progress import ProgressInput, add_progress
from db.report_data import period_report
from db.vocabulary import ComponentKind, Word

PERIOD = "2022-12"  # reports due by 2023-01-10 (报送截止日 10)
TODAY = dt.date(2023, 1, 20)
A, B, C, D = "市人防办", "市公路事业发展中心", "市公交公司", "市道路运输服务中心"
E, F = "市委宣传部", "市委政法委"


class Act(Word):
    """The act words as db.acts spells them: a Word, whose hash is not its value's."""

    TALK = "约谈"
    CRITICISM = "通报批评"
    PRAISE = "表扬"


def _unit_ids(session) -> dict[str, int]:
    return dict(session.execute(select(Unit.name, Unit.id)).all())


def sources(session_ids: dict[str, int]):
    """The indicator and act counts of the month, as db.indicators and db.acts will give them."""
    indicators = {session_ids[B]: (1, 2), session_ids[D]: (2, 2), session_ids["各县（市、区）人民政府"]: (0, 5)}
    acts = {
        session_ids[B]: Counter({Act.TALK: 1}),
        session_ids[C]: Counter({Act.PRAISE: 1}),
        session_ids[D]: Counter({Act.CRITICISM: 1, Act.TALK: 1}),
        session_ids["各县（市、区）人民政府"]: Counter({Act.TALK: 4}),
    }
    return (indicator_facts(lambda _s, _p, _period: indicators), act_facts(lambda _s, _p, _period: acts))


def report(session, code: str, unit: str, on: dt.date, status: str = "推进中", percent: int = 50) -> None:
    add_progress(session, ProgressInput(code, unit, PERIOD, status, percent, "按计划推进", entry_date=on), operator="测试")


@pytest.fixture
def december(ledger):
    """December 2022 for six units, entered with the ledger's own services (see the hand computation below)."""
    with ledger.Session.begin() as s:
        # A 市人防办: A03-10-2 (due 2022-06-30) signed off on time; A01-13 (持续推进) reported on 01-05.
        sign_off(s, get_task(s, "A03-10-2"), signed_on=dt.date(2022, 6, 20), operator="测试", note="验收通过")
        report(s, "A01-13", A, dt.date(2023, 1, 5))
        # B 市公路事业发展中心: A20-03 (due 2022-12-31) open, reported late on 01-15; A01-91 not reported.
        report(s, "A20-03", B, dt.date(2023, 1, 15))
        # C 市公交公司: A20-04 signed off on time; A20-05 reported done on 01-08 (D reports it done too).
        sign_off(s, get_task(s, "A20-04"), signed_on=dt.date(2022, 12, 20), operator="测试", note="已通车")
        report(s, "A20-05", C, dt.date(2023, 1, 8), "已完成", 100)
        # D 市道路运输服务中心: A20-05 reported done late (01-12); A20-06 extended to March, reported on the deadline day.
        report(s, "A20-05", D, dt.date(2023, 1, 12), "已完成", 100)
        extend(s, get_task(s, "A20-06"), new_due=dt.date(2023, 3, 31), reason="设备到货延迟", document="三营商办〔2022〕9号",
               approved_on=dt.date(2022, 12, 15), operator="测试")
        report(s, "A20-06", D, dt.date(2023, 1, 10))
        # E 市委宣传部: both tasks 持续推进; A01-70 reported on 01-09, A17-09 not.
        report(s, "A01-70", E, dt.date(2023, 1, 9))
        # F 市委政法委: its one task (持续推进) signed off in November: nothing due, no report owed.
        sign_off(s, get_task(s, "A01-76"), signed_on=dt.date(2022, 11, 30), operator="测试", note="已建立机制")
    return ledger


def by_unit(units):
    return {u.unit: u for u in units}


def points(unit) -> dict[str, float | None]:
    return {c.label: c.points for c in unit.components}


def test_a_december_scored_by_hand(december):
    # Default scheme: 按期办结率 40, 报送及时率 30, 指标达标率 30 (full marks 100), 逾期 −2 each (at most −10),
    # 约谈 −3, 通报批评 −5, 表扬 +2.  A rate with nothing to count is 不适用 and its weight is shared out.
    #
    # A: due 1, on time 1 → 100%; reports 1/1 (A03-10-2 is signed off, so only A01-13 is owed); no indicators.
    #    Weights 40 and 30 scaled by 100/70: 40×100/70 = 57.142857 → 57.14; 30×100/70 = 42.857 → 42.86; total 100.
    # B: due 1 (A20-03 overdue), on time 0 → 0; reports 0/2 (A20-03 late, A01-91 missing) → 0; indicators 1/2 →
    #    0.5×30 = 15; overdue 1 → −2; 约谈 1 → −3.  Total 15 − 2 − 3 = 10.
    # C: due 2 (A20-04 on time, A20-05 done awaiting sign-off), 1/2; reports 1/1 (A20-05 by 01-08); no indicators.
    #    0.5×57.142857 = 28.57; 1×42.857 = 42.86; 表扬 +2.  Total 28.57 + 42.86 + 2 = 73.43.
    # D: due 2 (A20-05 awaiting sign-off, A20-06 extended), on time 0 → 0; reports 1/2 (01-10 counts, 01-12 is late)
    #    → 0.5×30 = 15; indicators 2/2 → 30; 通报批评 −5, 约谈 −3.  Total 0 + 15 + 30 − 5 − 3 = 37.
    # E: nothing due (持续推进), no indicators: 报送及时率 alone carries all 100: 1/2 → 50.  Total 50.
    # F: nothing due, no report owed, no indicators: unscored, unranked.
    # Every other unit has reported nothing and signed off nothing: at most 0.  So the top five are A, C, E, D, B.
    with december.Session() as s:
        plan_id = resolve_plan_id(s, None)
        month = month_assessment(s, plan_id, PERIOD, today=TODAY, sources=sources(_unit_ids(s)))
    units = by_unit(month.units)
    assert [(u.unit, u.score, u.rank) for u in month.units[:5]] == [(A, 100.0, 1), (C, 73.43, 2), (E, 50.0, 3), (D, 37.0, 4), (B, 10.0, 5)]
    assert points(units[A]) == {"按期办结率": 57.14, "报送及时率": 42.86, "指标达标率": None, "逾期任务扣分": 0.0, "约谈扣分": 0.0, "通报批评扣分": 0.0, "表扬加分": 0.0}
    assert points(units[B]) == {"按期办结率": 0.0, "报送及时率": 0.0, "指标达标率": 15.0, "逾期任务扣分": -2.0, "约谈扣分": -3.0, "通报批评扣分": 0.0, "表扬加分": 0.0}
    assert points(units[C])["按期办结率"] == 28.57 and points(units[C])["报送及时率"] == 42.86 and points(units[C])["表扬加分"] == 2.0
    assert points(units[D]) == {"按期办结率": 0.0, "报送及时率": 15.0, "指标达标率": 30.0, "逾期任务扣分": 0.0, "约谈扣分": -3.0, "通报批评扣分": -5.0, "表扬加分": 0.0}
    assert points(units[E])["报送及时率"] == 50.0 and points(units[E])["按期办结率"] is None
    rates = {c.label: (c.counted, c.out_of, c.applicable) for c in units[D].components if c.kind.is_rate}
    assert rates == {"按期办结率": (0, 2, True), "报送及时率": (1, 2, True), "指标达标率": (2, 2, True)}
    assert units[F].score is None and units[F].rank is None and month.units[-1].score is None
    assert all(u.score <= 0 for u in month.units[5:] if u.score is not None)
    assert not month.stored
    # A unit can read why: each component in one sentence.
    assert units[B].sentence() == (
        f"{B}综合得分10分，居第5名：按期办结率0.0%（0/1），得0分；报送及时率0.0%（0/2），得0分；指标达标率50.0%（1/2），得15分；"
        "逾期任务1项，扣2分；约谈1次，扣3分。"
    )


def test_overdue_deductions_stop_at_the_cap(december):
    with december.Session() as s:
        month = month_assessment(s, resolve_plan_id(s, None), PERIOD, today=TODAY)
        standings = {u.unit: u for u in period_report(s, PERIOD, today=TODAY).figures.units}
    many = [name for name, u in standings.items() if u.overdue >= 6]
    assert many, "the plan has units with six or more tasks overdue in December"
    units = by_unit(month.units)
    for name in many:
        assert points(units[name])["逾期任务扣分"] == -10.0
    few = next(name for name, u in standings.items() if u.overdue == 2)
    assert points(units[few])["逾期任务扣分"] == -4.0


def test_collectives_are_never_scored(december):
    with december.Session() as s:
        ids = _unit_ids(s)
        facts = gather_facts(s, resolve_plan_id(s, None), PERIOD, today=TODAY, sources=sources(ids))
        kinds = dict(s.execute(select(Unit.name, Unit.kind)).all())
    assert "各县（市、区）人民政府" not in {f.unit for f in facts}
    assert all(kinds[f.unit] != "集合" for f in facts)
    # Even facts made up for a collective are not scored.
    collective = facts[0].__class__(ids["各县（市、区）人民政府"], "各县（市、区）人民政府", "集合", due=3, on_time=3)
    assert "各县（市、区）人民政府" not in {u.unit for u in score_month([*facts, collective], DEFAULT_SCHEME)}


def test_a_stored_month_keeps_its_scheme_until_the_office_recomputes(december):
    with december.Session.begin() as s:
        plan_id = resolve_plan_id(s, None)
        first = assess_month(s, plan_id, PERIOD, "测试", today=TODAY, sources=sources(_unit_ids(s)))
    assert first.stored and by_unit(first.units)[C].score == 73.43
    with december.Session.begin() as s:
        saved = save_scheme(s, plan_id, {"components": [{"kind": "按期办结率", "weight": 100}]}, operator="测试")
    assert saved.version == 1
    with december.Session() as s:
        assert current_scheme(s, plan_id).components == saved.components
        again = stored_month(s, plan_id, PERIOD)
        via_report = period_report(s, PERIOD, today=TODAY).assessment
    for month in (again, via_report):
        assert month.scheme.version is None and month.scheme.components == DEFAULT_SCHEME.components
        assert [(u.unit, u.score, u.rank) for u in month.units] == [(u.unit, u.score, u.rank) for u in first.units]
        assert points(by_unit(month.units)[C]) == points(by_unit(first.units)[C])
    with december.Session.begin() as s:
        recomputed = assess_month(s, plan_id, PERIOD, "测试", today=TODAY)
    units = by_unit(recomputed.units)
    # 按期办结率 alone, weight 100: C 1/2 → 50; A 1/1 → 100; E has nothing due → unscored.
    assert recomputed.scheme.version == 1
    assert (units[A].score, units[C].score, units[E].score, units[E].rank) == (100.0, 50.0, None, None)
    assert [c.label for c in units[C].components] == ["按期办结率"]
    with december.Session() as s:
        assert s.scalar(select(func.count()).select_from(AssessmentResult)) == 1
        computed = s.scalars(select(AuditLog).where(AuditLog.action == "assessment.compute").order_by(AuditLog.id)).all()
        schemes = s.scalars(select(AuditLog).where(AuditLog.action == "assessment.scheme")).all()
    assert [c.before is None for c in computed] == [True, False]
    assert computed[1].before["scores"][C] == 73.43 and computed[1].after["scores"][C] == 50.0
    assert len(schemes) == 1 and schemes[0].after["version"] == 1


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        ({"components": [{"kind": "满意度", "weight": 40}]}, "第1项：考评项目“满意度”无法识别，可选：按期办结率、报送及时率、指标达标率、逾期任务、督办事项。"),
        ({"components": [{"kind": "按期办结率", "weight": -40}]}, "第1项（按期办结率）：权重“-40”应为正数。"),
        ({"components": [{"kind": "按期办结率", "weight": 40}, {"kind": "逾期任务", "each": 2}]}, "第2项（逾期任务）：逾期任务只能扣分，每项分值“2”应为负数。"),
        ({"components": [{"kind": "按期办结率", "weight": 40}, {"kind": "督办事项", "act": "表扬", "each": 2, "cap": -5}]}, "第2项（表扬）：上限“-5”应为正数（最多加或扣的分数）。"),
        ({"components": [{"kind": "按期办结率", "weight": 40}, {"kind": "督办事项", "act": "约见", "each": -3}]}, "第2项（督办事项）：事项“约见”无法识别"),
        ({"components": [{"kind": "按期办结率", "weight": 40}, {"kind": "按期办结率", "weight": 20}]}, "第2项：按期办结率与第1项重复。"),
        ({"components": [{"kind": "逾期任务", "each": -2}]}, "考评方案至少要有一个比率项目"),
        ({"components": [{"kind": "报送及时率", "weight": "三十"}]}, "第1项（报送及时率）的权重“三十”不是数字。"),
        ({"components": [{"kind": "报送及时率", "weight": 30, "each": 1}]}, "第1项（报送及时率）：不适用的字段 each。"),
        ({"items": []}, "不认识的字段 items"),
    ],
)
def test_a_bad_scheme_is_refused_whole_and_nothing_is_written(ledger, scheme, message):
    with ledger.Session() as s:
        plan_id = resolve_plan_id(s, None)
        audit_rows = s.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(UserError) as refused, ledger.Session.begin() as s:
        save_scheme(s, plan_id, scheme, operator="测试")
    assert str(refused.value).startswith("考评方案未保存：") and message in str(refused.value)
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(AssessmentScheme)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_rows
        assert current_scheme(s, plan_id) == DEFAULT_SCHEME


def test_the_command_line_prints_the_month_and_keeps_the_scheme(december, run_cli, tmp_path):
    code, out, err = run_cli("assess", "--period", PERIOD, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"period", "scheme", "units"} and data["period"] == PERIOD
    assert [c["kind"] for c in data["scheme"]["components"]] == [c.kind.value for c in DEFAULT_SCHEME.components]
    first = data["units"][0]
    assert set(first) == {"unit", "kind", "components", "score", "rank"}
    assert set(first["components"][0]) >= {"kind", "label", "raw", "points", "applicable"}
    # A (市人防办) answers for indicators due by December and reported none: 指标达标率 counts 0 of them, so its
    # 100% on time and 100% reported give 40 + 30 + 0 = 70 (the hand-computed test leaves indicators to its own counts).
    indicator = next(c for c in first["components"] if c["kind"] == "指标达标率")
    assert indicator["applicable"] and indicator["counted"] == 0 and indicator["out_of"] > 0
    assert (first["unit"], first["score"], first["rank"]) == (A, 70.0, 1)
    assert all(u["kind"] != "集合" for u in data["units"])
    assert data["computed_at"], "the first look stores the month"
    code, out, _err = run_cli("assess", "scheme", "--json")
    assert json.loads(out)["version"] is None
    scheme = tmp_path / "方案.json"
    scheme.write_text(json.dumps({"components": [{"kind": "按期办结率", "weight": 60}, {"kind": "报送及时率", "weight": 40}]}, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("assess", "scheme", "--set", str(scheme))
    assert code == 0 and "第1版" in out, err
    code, out, _err = run_cli("assess", "--period", PERIOD, "--json")
    assert json.loads(out)["scheme"]["version"] is None and json.loads(out)["computed_at"] == data["computed_at"]
    code, out, _err = run_cli("assess", "--period", PERIOD, "--json", "--recompute")
    again = json.loads(out)
    assert again["scheme"]["version"] == 1 and [c["kind"] for c in again["units"][0]["components"]] == [ComponentKind.ON_TIME_RATE, ComponentKind.REPORT_RATE]
    bad = tmp_path / "坏.json"
    bad.write_text('{"components": [', encoding="utf-8")
    code, _out, err = run_cli("assess", "scheme", "--set", str(bad))
    assert code == 2 and "不是有效的 JSON" in err and "坏.json" in err


def _stored_december(ledger):
    with ledger.Session.begin() as s:
        return assess_month(s, resolve_plan_id(s, None), PERIOD, "测试", today=TODAY, sources=sources(_unit_ids(s)))


def test_the_ledger_workbook_has_the_score_sheet(december, tmp_path):
    from openpyxl import load_workbook

    from exports.excel_ledger import export_ledger

    _stored_december(december)
    with december.Session() as s:
        path = export_ledger(period_report(s, PERIOD, today=TODAY), tmp_path / "台账.xlsx", made_on=TODAY)
    ws = load_workbook(path)["综合考评"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    header = [c.value for c in ws[4]]
    assert header == [
        "名次", "单位", "按期办结率", "按期办结率得分", "报送及时率", "报送及时率得分", "指标达标率", "指标达标率得分",
        "逾期任务项数", "逾期任务扣分", "约谈次数", "约谈扣分", "通报批评次数", "通报批评扣分", "表扬次数", "表扬加分", "总分",
    ]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert rows[A] == (1, A, "100.0%（1/1）", 57.14, "100.0%（1/1）", 42.86, "不适用", "—", 0, 0, 0, 0, 0, 0, 0, 0, 100)
    assert rows[D] == (4, D, "0.0%（0/2）", 0, "50.0%（1/2）", 15, "100.0%（2/2）", 30, 0, 0, 1, -3, 1, -5, 0, 0, 37)
    assert rows[F][0] is None and rows[F][-1] is None
    assert "考评方案：默认方案，满分100分" in ws["A2"].value and ws["A2"].value.endswith("计算并保存）")
    assert "集合" not in {ws.cell(row=r, column=2).value for r in range(5, ws.max_row + 1)}


def test_the_tongbao_has_the_ranking_and_explains_the_lowest_units(december, tmp_path):
    import re
    import shutil
    import subprocess

    from exports.pdf.monthly import BOTTOM_UNITS, monthly_report

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    month = _stored_december(december)
    with december.Session() as s:
        path = monthly_report(period_report(s, PERIOD, today=TODAY), tmp_path / "通报.pdf", issued=TODAY, number=1)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    section = text[text.index("三、综合考评结果") : text.index("四、指标进展情况")]
    assert "默认方案，满分100分。按期办结率权重40；报送及时率权重30；指标达标率权重30；逾期任务扣分每项扣2分，最多扣10分" in section
    # Rank, unit, each rate's points and rate, the counts' points together, the total.
    assert f"1{A}57.14100.0%42.86100.0%不适用0100" in section
    assert f"4{D}00.0%1550.0%30100.0%-837" in section
    lowest = month.ranked[-BOTTOM_UNITS:]
    assert f"综合得分排名靠后的{BOTTOM_UNITS}个单位" in section
    for unit in lowest:
        assert unit.sentence() in section
    assert "各县（市、区）人民政府" not in section


def test_a_month_is_fixed_only_once_its_reports_are_due(december, tmp_path):
    from db.assessment import settled_month
    from exports.actions import write_monthly_report

    with december.Session.begin() as s:
        plan_id = resolve_plan_id(s, None)
        early = settled_month(s, plan_id, PERIOD, "测试", today=dt.date(2023, 1, 10))  # the 报送截止日 itself
    assert not early.stored
    with december.Session() as s:
        assert stored_month(s, plan_id, PERIOD) is None
    with december.Session.begin() as s:
        late = settled_month(s, plan_id, PERIOD, "测试", today=dt.date(2023, 1, 11))
    assert late.stored
    # Issuing a 通报 fixes its month too: November is stored by writing November's 通报.
    write_monthly_report(december, tmp_path / "11月通报.pdf", period="2022-11", date=dt.date(2022, 12, 15), operator="测试")
    with december.Session() as s:
        november = stored_month(s, plan_id, "2022-11")
    assert november is not None and november.operator == "测试"


def test_the_month_counts_the_units_real_indicator_values_and_the_offices_acts(december):
    from db.acts import ActInput, record_act
    from db.indicator_actuals import report_actual
    from db.models import Indicator, IndicatorUnit

    with december.Session.begin() as s:
        plan_id = resolve_plan_id(s, None)
        # An indicator of 市住建局's with a numeric year-end target, reported at exactly that target: on target.
        unit = s.scalars(select(Unit).where(Unit.name == "市住房和城乡建设局")).one()
        answerable = s.scalars(select(Indicator).join(IndicatorUnit).where(IndicatorUnit.unit_id == unit.id, Indicator.plan_id == plan_id)).all()
        target = next((i, t) for i in answerable for t in i.targets if t.period <= PERIOD and t.value is not None)
        report_actual(s, target[0], unit, PERIOD, target[1].text, operator="测试")
        record_act(s, plan_id, ActInput("约谈", dt.date(2022, 12, 5), "进度滞后", units=[unit.name]), operator="测试")
        record_act(s, plan_id, ActInput("表扬", dt.date(2022, 11, 30), "上月成效显著", units=[unit.name]), operator="测试")
    with december.Session() as s:
        facts = {f.unit: f for f in gather_facts(s, plan_id, PERIOD, today=TODAY)}
        month = by_unit(month_assessment(s, plan_id, PERIOD, today=TODAY).units)
    mine = facts["市住房和城乡建设局"]
    assert mine.indicators_met >= 1 and mine.indicators_assessed >= mine.indicators_met
    assert mine.acts == Counter({"约谈": 1}), "November's praise is not December's"
    assert points(month["市住房和城乡建设局"])["约谈扣分"] == -3.0 and points(month["市住房和城乡建设局"])["表扬加分"] == 0.0
    rate = next(c for c in month["市住房和城乡建设局"].components if c.kind == ComponentKind.INDICATOR_RATE)
    assert (rate.counted, rate.out_of) == (mine.indicators_met, mine.indicators_assessed)
