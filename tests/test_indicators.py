"""Indicators read from the 2022 plan against a hand reading, monthly actuals, standing, warnings and corrections."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from db.errors import UserError
from db.indicator_actuals import indicator_standing, indicator_warnings, report_actual, unit_indicator_counts
from db.indicators import IndicatorFix, correct_indicator, find_indicator, goal_clauses, read_number
from db.ledger import find_unit, init_from_bundled_plan
from db.models import AuditLog, Indicator, IndicatorActual, Plan
from db.vocabulary import Direction, IndicatorSource, Standing
from tests.conftest import DATA

HAND = json.loads((DATA / "handread" / "indicators_2022.json").read_text(encoding="utf-8"))
DIRECTIONS = {"lower": Direction.LOWER, "higher": Direction.HIGHER}


def _plan_id(session) -> int:
    return session.scalar(select(Plan.id).where(Plan.is_current.is_(True)))


def _table_indicators(session, line):
    return session.scalars(
        select(Indicator).where(Indicator.source_kind == IndicatorSource.TABLE, Indicator.source_line == line).order_by(Indicator.position)
    ).all()


@pytest.mark.parametrize("row", HAND["rows"], ids=lambda r: f"A{r['annex']}-L{r['line']}")
def test_every_table_row_reads_as_the_hand_reading(ledger, row):
    with ledger.Session() as s:
        found = _table_indicators(s, row["line"])
        assert len(found) == len(row["indicators"]), [i.name for i in found]
        for ind, want in zip(found, row["indicators"]):
            assert ind.annex.number == row["annex"]
            assert want["name"] in ind.name
            assert ind.measure_unit in want["measure_unit"]
            assert ind.direction == DIRECTIONS[want["direction"]]
            assert [ind.baseline_text, ind.baseline_value] == (want["baseline"] or [None, None])
            assert [ind.frontier_text, ind.frontier_value] == (want["frontier"] or [None, None])
            assert {t.period: [t.text, t.value] for t in ind.targets} == want["targets"]
            assert ind.code.startswith(f"ZB{row['annex']:02d}-")
            assert ind.source_text  # the printed row stays readable


def test_the_eight_tables_give_exactly_the_hand_read_indicators(ledger):
    with ledger.Session() as s:
        n = s.scalar(select(func.count(Indicator.id)).where(Indicator.source_kind == IndicatorSource.TABLE))
    assert n == sum(len(r["indicators"]) for r in HAND["rows"]) == 28


def test_goal_clauses_a_sample_read_by_hand():
    text = "确保农产品从田间到餐桌全程有保障、可追溯，实现食品安全抽样检验每千人 4 批次、合格率达到 98% 的目标，全市学校食堂“互联网+明厨亮灶”覆盖率达到 85% 以上"
    clauses = dict(goal_clauses(text, 2022))
    assert clauses["全市学校食堂“互联网+明厨亮灶”覆盖率达到 85% 以上"] == "2022-12"
    assert "合格率达到 98% 的目标" in clauses
    dated = goal_clauses("2022年6月前,落地实施第一批50件“一件事一次办”事项清单;2022年底,办理时间压缩至2个工作日。", 2022)
    assert dated == [("落地实施第一批50件“一件事一次办”事项清单", "2022-06"), ("办理时间压缩至2个工作日", "2022-12")]


@pytest.mark.parametrize(
    "code_name, unit, direction, period, value",
    [
        ("知识产权综合咨询服务窗口平均覆盖率达到85%以上", "%", Direction.HIGHER, "2022-12", 85.0),
        ("劳动人事争议仲裁结案率92%以上", "%", Direction.HIGHER, "2022-12", 92.0),
        ("将解决商业纠纷平均用时降低到155天以下", "天", Direction.LOWER, "2022-06", 155.0),
        ("将解决商业纠纷平均用时降低到145天以下", "天", Direction.LOWER, "2022-12", 145.0),
        ("用户用水用气报装时间进一步压缩至2个工作日内", "工作日", Direction.LOWER, "2022-12", 2.0),
        ("时间26个工作日内", "工作日", Direction.LOWER, "2022-06", 26.0),
        ("科技型中小企业达到 160 家以上", "家", Direction.HIGHER, "2022-12", 160.0),
        ("破产案件收回债务所需时间缩短为 1.2 年", "年", Direction.LOWER, "2022-12", 1.2),
    ],
)
def test_goal_indicators_a_sample_read_by_hand(ledger, code_name, unit, direction, period, value):
    with ledger.Session() as s:
        ind = s.scalar(select(Indicator).where(Indicator.source_kind == IndicatorSource.GOAL, Indicator.name.startswith(code_name)))
        assert ind is not None
        assert (ind.measure_unit, ind.direction) == (unit, direction)
        assert [(t.period, t.value) for t in ind.targets] == [(period, value)]
        assert code_name in ind.source_text


def test_values_keep_their_wording_and_carry_a_number_when_one_reads():
    assert read_number("≤20") == 20
    assert read_number("0.5个工作日") == 0.5
    assert read_number("已完成50件“一件事”主题集成服务梳理") == 50
    assert read_number("零收费") == 0
    assert read_number("注册用户数107万；上线事项数102项") is None
    assert read_number("16（21'）") == 16


def test_init_again_changes_nothing(ledger):
    with ledger.Session() as s:
        before = [(i.uuid, i.code, i.name, [(t.period, t.text) for t in i.targets], [u.unit_id for u in i.units]) for i in s.scalars(select(Indicator).order_by(Indicator.id))]
        audits = s.scalar(select(func.count(AuditLog.id)))
    result = init_from_bundled_plan(ledger, operator="测试")
    assert (result.indicators.added, result.indicators.updated, result.indicators.removed) == ([], [], [])
    with ledger.Session() as s:
        after = [(i.uuid, i.code, i.name, [(t.period, t.text) for t in i.targets], [u.unit_id for u in i.units]) for i in s.scalars(select(Indicator).order_by(Indicator.id))]
        assert after == before
        assert s.scalar(select(func.count(AuditLog.id))) == audits


def test_a_correction_keeps_the_printed_values_and_survives_init(ledger):
    with ledger.Session.begin() as s:
        ind = find_indicator(s, _plan_id(s), "ZB03-02")
        assert correct_indicator(s, ind, IndicatorFix(reason="与原文核对", name="办理建筑许可时间", targets={"2022-12": "24"}), "张三")
    init_from_bundled_plan(ledger, operator="测试")
    with ledger.Session() as s:
        ind = find_indicator(s, _plan_id(s), "ZB03-02")
        assert ind.name == "办理建筑许可时间" and [(t.period, t.value) for t in ind.targets] == [("2022-12", 24.0)]
        assert ind.printed["name"] == "时间 (工作日)" and ind.printed["targets"]["2022-06"].startswith("26")
        assert ind.corrected_by == "张三"
        log = s.scalar(select(AuditLog).where(AuditLog.action == "indicator.correct"))
        assert log.entity_key == "ZB03-02" and log.note == "与原文核对"
        with pytest.raises(UserError):
            correct_indicator(s, ind, IndicatorFix(reason="", direction="越大越好"), "张三")


def test_actuals_standing_warnings_and_unit_counts(ledger):
    with ledger.Session.begin() as s:
        plan = _plan_id(s)
        time = find_indicator(s, plan, "ZB03-02")  # 26 by 2022-06, 25 by 2022-12, lower is better
        steps = find_indicator(s, plan, "ZB03-01")  # 6 by 2022-06, 5 by 2022-12
        unit = find_unit(s, "市住房和城乡建设局")
        assert report_actual(s, time, unit, "2022-06", "25.5个工作日", note="全市平均", operator="测试")
        assert not report_actual(s, time, unit, "2022-06", "25.5个工作日", note="全市平均", operator="测试")
        assert report_actual(s, steps, unit, "2022-06", "7", operator="测试")
        with pytest.raises(UserError, match="不是指标"):
            report_actual(s, time, find_unit(s, "市税务局"), "2022-06", "20", operator="测试")
        with pytest.raises(UserError, match="格式不正确"):
            report_actual(s, time, unit, "2022-6", "20", operator="测试")
    with ledger.Session() as s:
        plan = _plan_id(s)
        may = {x.code: x for x in indicator_standing(s, plan, "2022-05")}
        june = {x.code: x for x in indicator_standing(s, plan, "2022-06")}
        assert may["ZB03-02"].standing == Standing.NOT_DUE
        assert june["ZB03-02"].standing == Standing.MET and june["ZB03-02"].target_text.startswith("26")
        assert june["ZB03-01"].standing == Standing.BEHIND
        assert june["ZB05-01"].standing == Standing.NOT_REPORTED
        dec = {x.code: x for x in indicator_standing(s, plan, "2022-12")}
        assert dec["ZB03-02"].standing == Standing.BEHIND and dec["ZB03-02"].actual.value == 25.5  # 25 due by December
        warned = {w.code for w in indicator_warnings(s, plan, "2022-06")}
        assert {"ZB03-01", "ZB05-01"} <= warned and "ZB03-02" not in warned and "ZB04-01" not in warned
        counts = unit_indicator_counts(s, plan, "2022-06")
        met, assessed = counts[unit.id]
        assert met >= 1 and assessed > met  # its 时间 met, its 环节 behind, the rest unreported
        row = s.scalar(select(IndicatorActual).where(IndicatorActual.indicator_id == time.id))
        assert (row.value, row.version) == (25.5, 1)


def test_cli_lists_reports_and_corrects(run_cli):
    code, out, _ = run_cli("indicators", "list", "--json", "--annex", "3")
    listed = {i["code"]: i for i in json.loads(out)}
    assert code == 0 and listed["ZB03-01"]["targets"] == [{"period": "2022-06", "text": "6", "value": 6.0}, {"period": "2022-12", "text": "5", "value": 5.0}]
    assert listed["ZB03-01"]["source_line"] == 779 and "市住房和城乡建设局" in listed["ZB03-01"]["units"]
    code, out, _ = run_cli("indicators", "report", "--indicator", "ZB03-01", "--unit", "市住建局", "--period", "2022-12", "--value", "5个")
    assert code == 0 and "已保存" in out
    code, out, _ = run_cli("indicators", "list", "--json", "--annex", "3", "--period", "2022-12")
    assert {i["code"]: i for i in json.loads(out)}["ZB03-01"]["standing"]["standing"] == "达标"
    code, _, err = run_cli("indicators", "report", "--indicator", "ZB03-01", "--unit", "市住建局", "--period", "2022-13", "--value", "5")
    assert code != 0 and "格式不正确" in err
    code, out, _ = run_cli("indicators", "correct", "ZB03-01", "--name", "办理建筑许可环节", "--reason", "名称补全")
    assert code == 0 and "已更正" in out
    code, out, _ = run_cli("indicators", "list", "--json", "--annex", "3")
    assert json.loads(out)[0]["name"] == "办理建筑许可环节" and json.loads(out)[0]["corrected"]


def test_excel_ledger_and_warning_list_carry_the_indicators(ledger, tmp_path):
    from openpyxl import load_workbook

    from exports import actions

    with ledger.Session.begin() as s:
        ind = find_indicator(s, _plan_id(s), "ZB04-01")
        report_actual(s, ind, find_unit(s, "三门峡供电公司"), "2022-12", "=25", operator="测试")
    [path] = actions.write_ledger(ledger, tmp_path / "台账.xlsx", period="2022-12")
    ws = load_workbook(path)["指标台账"]
    header = [c.value for c in ws[4]]
    assert header[:3] == ["附件", "编号", "指标名称"] and "阶段目标" in header and "达标情况" in header
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert rows["ZB04-01"][header.index("最新实际值")].startswith("=25")  # kept as text, not a formula
    assert ws.cell(row=[r[1] for r in ws.iter_rows(min_row=1, values_only=True)].index("ZB04-01") + 1, column=header.index("最新实际值") + 1).data_type == "s"
    assert rows["ZB04-01"][header.index("达标情况")] == "未达标"
    assert "▶2022年12月：25" in rows["ZB03-02"][header.index("阶段目标")]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    [path] = actions.write_warnings(ledger, tmp_path / "预警.xlsx", period="2022-12")
    warned = load_workbook(path)["指标预警"]
    codes = [r[1] for r in warned.iter_rows(min_row=5, values_only=True)]
    assert "ZB04-01" in codes and "ZB04-02" in codes  # behind, and not reported


def test_the_circular_tells_the_indicators_behind_target_and_who_has_not_reported(ledger, tmp_path):
    from exports.actions import write_monthly_report
    from tests.test_pdf_report import pdf_text

    with ledger.Session.begin() as s:
        plan = _plan_id(s)
        unit = find_unit(s, "市住房和城乡建设局")
        report_actual(s, find_indicator(s, plan, "ZB03-02"), unit, "2022-06", "25.5个工作日", operator="测试")  # 26 due: met
        report_actual(s, find_indicator(s, plan, "ZB03-01"), unit, "2022-06", "7个", operator="测试")  # 6 due: behind
    with ledger.Session() as s:
        counts = {x.standing: 0 for x in indicator_standing(s, _plan_id(s), "2022-06")}
        for x in indicator_standing(s, _plan_id(s), "2022-06"):
            counts[x.standing] += 1
    [path] = write_monthly_report(ledger, tmp_path / "通报.pdf", period="2022-06", date=dt.date(2022, 7, 12))
    text = pdf_text(path)
    section = text[text.index("、指标进展情况"):text.index("、进展滞后的任务")]
    total = sum(counts.values())
    due = total - counts.get(Standing.NOT_DUE, 0)
    assert f"方案确定的{total}项指标中，截至2022年6月已到目标期的{due}项：达标{counts[Standing.MET]}项、未达标{counts[Standing.BEHIND]}项" in section
    assert counts[Standing.BEHIND] == 1 and "未达到本期目标的指标1项" in section
    assert all(cell in section for cell in ("ZB03-01", "环节(个)", "6（2022年6月）", "7个（2022年6月）")) and "ZB03-02" not in section
    assert "尚未报送实际值的指标涉及" in section and "市住房和城乡建设局（" in section
