"""The generated sentence of each section of the pilot evaluation report: a skeleton quoting the
section's figures, which the county then edits (PilotReportDraft) before exporting."""

from __future__ import annotations

from .pilot_period import Period


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def _num(value) -> str:
    return "—" if value is None else f"{value}"


def sentences(fig: dict, period: Period) -> dict[str, str]:
    span = period.span
    below = fig["towns_below_floor"]
    floor = (f"{fig['towns_total']} 个乡镇的低保月人均补差均达到县定下限" if not below else
             f"{fig['towns_total']} 个乡镇中有 {below} 个低保月人均补差低于县定下限，需在年审中调整")
    return {
        "progress": (f"{span}，全县共受理低保、特困申请 {fig['submitted']} 件，办结 {fig['closed']} 件，其中批准 {fig['approved']} 件；"
                     f"新增救助对象 {fig['new']} 户次，调整 {fig['adjusted']} 户次，停保 {fig['stopped']} 户次。"
                     f"期末在保 {fig['households_end']} 户 {fig['persons_end']} 人，在办案件 {fig['open_end']} 件，"
                     f"其中逾期 {fig['overdue_end']} 件。"),
        "beneficiaries": (f"期末在保低保对象 {fig['dibao_households']} 户 {fig['dibao_persons']} 人，特困人员 {fig['tekun_persons']} 人"
                          f"（集中供养 {fig['centralized']} 人、分散供养 {fig['dispersed']} 人）；按城乡分，城市 {fig['urban_persons']} 人、"
                          f"农村 {fig['rural_persons']} 人。低收入人口登记中有低保边缘家庭 {fig['edge']} 户、"
                          f"刚性支出困难家庭 {fig['rigid']} 户。"),
        "funds": (f"{span}共发放救助金 {fig['paid_total']} 元，其中低保 {fig['paid_dibao']} 元、特困 {fig['paid_tekun']} 元；"
                  f"低保月人均补差 {_num(fig['per_capita_dibao'])} 元，{floor}。"),
        "efficiency": (f"{span}办结并计时的申请 {fig['measured']} 件，20 个工作日内办结 {fig['within']} 件，"
                       f"占 {_pct(fig['within_share'])}，办理时长中位数 {_num(fig['median'])} 个工作日，依规定延期办理 {fig['extended']} 件；"
                       f"期末有 {fig['overdue_towns']} 个乡镇存在逾期未办结案件。"),
        "effect": (f"{span}办结申请的核对率为 {_pct(fig['verify_rate'])}（{fig['verify_reported']}/{fig['verify_closed']}），"
                   f"年审复核核对率为 {_pct(fig['review_rate'])}；不予批准（含核对不符）{fig['denied']} 件、不予批准率 "
                   f"{_pct(fig['denial_rate'])}，撤回 {fig['withdrawn']} 件、撤回率 {_pct(fig['withdrawal_rate'])}；"
                   f"公示异议 {fig['objections']} 件；复核办结 {fig['recheck_met']} 件，按期 {fig['recheck_on_time']} 件"
                   f"（{_pct(fig['recheck_rate'])}）。"),
    }
