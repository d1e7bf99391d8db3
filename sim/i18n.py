"""Labels in Chinese and English, shared by the workshop page and the experiment reports.

Goal names come from ``configs/data/goals_2020.csv`` and county names from :mod:`sim.population`, so the
page says what the model says. Levers are discovered from :class:`sim.config.LeversConf`; a lever without
an entry in :data:`LEVER_TEXT` is labelled from its config docstring, so a new lever shows up without a code
change here.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from sim.config import LeversConf
from sim.goals import load_goals
from sim.population import COUNTIES, COUNTIES_EN

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# Page text: key -> (Chinese, English).
TEXT: dict[str, tuple[str, str]] = {
    "title": ("台州农信普惠金融五年规划 · 研讨沙盘", "Taizhou rural credit inclusive-finance plan · workshop"),
    "language": ("语言", "Language"),
    "language_tip": ("切换页面语言；模型不变。", "Switches the page's labels; the model is unchanged."),
    "month": ("当前月份", "Month"),
    "goals_met": ("达标目标", "Goals met"),
    "scenario": ("情景预设", "Scenario preset"),
    "scenario_tip": (
        "从 configs/scenario/ 读取的情景。切换后从 2016-01 重新开始（等同于“重置”）。",
        "A scenario from configs/scenario/. Choosing one restarts at 2016-01 (like Reset).",
    ),
    "seed": ("随机种子", "Seed"),
    "seed_tip": (
        "同一种子 = 同一批模拟农户与同样的随机事件；参照线使用同一种子。改后从 2016-01 重新开始。",
        "Same seed = same simulated households and chance events; the reference line uses the same seed. "
        "Changing it restarts at 2016-01.",
    ),
    "speed": ("播放间隔（毫秒）", "Pause between months (ms)"),
    "speed_tip": (
        "“播放”时两个月之间的等待时间；越小越快。只影响演示，不影响结果。",
        "Pause between months while playing; smaller is faster. Display only, results are unchanged.",
    ),
    "budget": ("预算", "Budget"),
    "budget_total": ("总预算（亿元）", "Total budget (100 million CNY)"),
    "budget_tip": (
        "假设：新总额按原年度节奏分配到本年及以后各年，已过年份的计划不变；各杠杆按下方比例分账。",
        "Assumes: the new total is phased over this year and later with the plan's yearly phasing; past "
        "years keep their plan; levers get the shares below.",
    ),
    "split": ("预算分配（占比，自动归一）", "Split across levers (shares, normalised to 100%)"),
    "split_tip": (
        "各杠杆可用资金的占比；合计自动调整为 100%。资金不足时杠杆按可用资金缩量。",
        "Each lever's share of the money; shares are rescaled to add up to 100%. A lever short of money does "
        "less.",
    ),
    "levers": ("政策杠杆（力度 = 规划的 %）", "Levers (intensity = % of plan)"),
    "intensity_tip": (
        "力度以“规划”情景为 100%，自本年起生效，已过年份不变。",
        "Intensity as a % of the plan scenario's, from this year on; past years are unchanged.",
    ),
    "apply": ("应用调整", "Apply changes"),
    "apply_tip": (
        "把上面的预算与杠杆设置用于下一个月起的模拟，并在图上标记本月（中期调整）。",
        "Uses the budget and lever settings above from next month on and marks this month on the charts "
        "(a mid-course correction).",
    ),
    "review_2018": ("2018 年中期评估：暂停在 2018-06", "2018 review: pause at 2018-06"),
    "review_tip": (
        "运行到 2018-06（规划的中期评估），便于调整杠杆后继续。",
        "Runs to 2018-06 (the plan's mid-term review), ready for a correction before resuming.",
    ),
    "pending": ("调整将从下个月起生效（单步或播放）", "Changes apply from the next month (Step or Play)"),
    "changes": ("已做调整", "Changes made"),
    "no_changes": ("尚无调整", "No changes yet"),
    "scorecard": ("2020 目标记分卡", "2020 goals scorecard"),
    "goal": ("目标", "Goal"),
    "value": ("当前值", "Now"),
    "target": ("目标值", "Target"),
    "progress": ("进度", "Progress"),
    "met": ("达标", "Met"),
    "yes": ("达标", "met"),
    "no": ("未达标", "not met"),
    "trajectories": ("关键目标走势（实线=当前，虚线=规划参照，点线=目标）",
                     "Key goals over time (solid = now, dashed = plan reference, dotted = target)"),
    "current": ("当前", "current"),
    "reference": ("规划参照", "plan reference"),
    "change_mark": ("调整", "change"),
    "money": ("资金：按杠杆与年份的支出与预算对比", "Money: spent by lever and year against the budget"),
    "spent": ("已支出", "spent"),
    "planned": ("预算", "budget"),
    "total_spent": ("累计支出", "Spent so far"),
    "of_budget": ("总预算", "of a budget of"),
    "map": ("地图（9 个县市区，每点一个行政村）", "Map (9 counties, one dot per village)"),
    "served_station": ("有丰收驿站", "station"),
    "served_device": ("有自助机具", "device"),
    "served_branch": ("有网点", "branch"),
    "unserved": ("空白村", "no service"),
    "villages": ("村", "villages"),
    "export": ("导出讲义（可打印 A4）", "Export a handout (prints on A4)"),
    "export_tip": (
        "下载一个离线可打开的小 HTML 文件：各组记分卡、图表、资金表、地图与调整记录；用浏览器打印为 A4。",
        "Downloads a small offline HTML file: every team's scorecard, charts, money, map and change log; "
        "print it from the browser on A4.",
    ),
    "on": ("开", "on"),
    "off": ("关", "off"),
    "split_short": ("预算分配", "split"),
    "yi": ("亿元", "100m CNY"),
    "wan": ("万", "10k"),
    # the run controls (the page's own: Mesa's controller has fixed English labels)
    "run": ("运行", "Run"),
    "reset": ("重置", "Reset"),
    "reset_tip": ("回到 2015-12，所有组按当前情景与种子重新开始。",
                  "Back to 2015-12: every team starts again with the current scenario and seed."),
    "play": ("▶ 播放", "▶ Play"),
    "pause": ("❚❚ 暂停", "❚❚ Pause"),
    "play_tip": ("逐月运行到 2020-12；可随时暂停。", "Runs month by month to 2020-12; pause at any time."),
    "step": ("单步", "Step"),
    "step_tip": ("前进一个月。", "One month ahead."),
    "finished": ("已到 2020-12", "Reached 2020-12"),
    # teams
    "teams": ("分组对比", "Teams"),
    "teams_tip": (
        "每组有自己的杠杆与预算分配，使用同一情景与同一随机种子，同步运行；记分卡并排比较各组。",
        "Each team has its own levers and budget split, the same scenario and seed, and runs in step; the "
        "scorecard compares them side by side.",
    ),
    "team_0": ("甲组", "Team A"),
    "team_1": ("乙组", "Team B"),
    "team_2": ("丙组", "Team C"),
    "team_3": ("丁组", "Team D"),
    "editing": ("正在调整", "Editing"),
    "team_name": ("组名", "Team name"),
    "add_team": ("＋ 添加一组", "+ Add a team"),
    "add_team_tip": (
        "新的一组从当前月份开始，按情景原样运行到此刻，之后由该组自行调整。",
        "A new team joins at this month, run so far as the scenario is written; from here on it makes its "
        "own changes.",
    ),
    "remove_team": ("删除本组", "Remove this team"),
    "difference": ("达标数之差", "Difference in goals met"),
    "vs": ("对比", "vs"),
    # the odds
    "odds": ("达标概率", "P(met)"),
    "odds_switch": ("计算 2020 年达标概率（{n} 个种子）", "Odds of meeting each goal in 2020 ({n} seeds)"),
    "odds_tip": (
        "在后台以粗尺度（每行 {w} 户）用 {n} 个随机种子运行当前设置（情景、已做调整、待生效调整）至 2020-12，"
        "显示达标的种子比例；括号内为只反映随机种子差异的 95% 区间（威尔逊区间），不含参数不确定性。"
        "单次运行仍是播放的那一次。",
        "Runs the current settings (scenario, changes made, changes waiting) to 2020-12 in the background "
        "with {n} seeds at a coarse scale ({w} households per row) and shows the share of seeds meeting each "
        "goal; in brackets the 95% interval from the seeds alone (Wilson), not from uncertain parameters. "
        "The single run is still the one that plays.",
    ),
    "odds_running": ("达标概率计算中…", "Computing the odds…"),
    "odds_ready": ("达标概率：{n} 个种子、每行 {w} 户，至 2020-12；括号内为 95% 区间（仅随机种子）",
                   "P(met): {n} seeds, {w} households per row, to 2020-12; in brackets the 95% interval "
                   "(seeds only)"),
    # the map
    "county_villages": ("{n} 个村", "{n} villages"),
    "map_service": ("服务网点", "Service points"),
    "map_credit": ("整村授信", "Whole-village credit"),
    "map_mode_tip": ("按服务网点类型，或按是否已完成整村授信为村庄着色。",
                     "Colours villages by their kind of service point, or by whether whole-village credit has "
                     "reached them."),
    "credit_done": ("已整村授信", "campaign done"),
    "credit_not_done": ("未整村授信", "not yet"),
    "map_note": ("村庄位置为示意：在所属县市区范围内随机放置（同一种子位置固定）；悬停县域查看合计。",
                 "Village positions are illustrative: placed at random inside their county (fixed for a seed); "
                 "hover over a county for its totals."),
    # the handout
    "handout_note": ("本讲义由研讨沙盘导出，可直接用浏览器打印（A4）。",
                     "Exported from the workshop page; print it from the browser (A4)."),
    "period": ("模拟期", "Simulated period"),
    "team_changes": ("调整记录", "Changes"),
    # scenario descriptions in Chinese; the English one is the file's `description` (a scenario file may carry
    # its own ``description_zh`` instead, once the config schema accepts it)
    "scenario_desc_plan": ("按规划原文执行：9 亿元，全部杠杆，2016–17 年启动，2018–19 年提升", ""),
    "scenario_desc_no_program": ("不实施新规划：延续 2015 年做法，无规划资金", ""),
    "scenario_desc_campaigns_first": ("信贷优先：2016–17 年全面推进整村授信并增加走访", ""),
    "scenario_desc_digital_first": ("数字优先：优先投入平台、普惠通、行业应用与补贴代发；驿站放缓", ""),
    "scenario_desc_double_budget": ("规划的杠杆与分配，资金翻倍（18 亿元）", ""),
    "scenario_desc_fee_relief_heavy": ("重让利：利率优惠 60 个基点并全面免费，驿站与平台投入减少", ""),
    "scenario_desc_half_budget": ("规划的杠杆与分配，资金减半（4.5 亿元）", ""),
    "scenario_desc_late_start": ("延迟启动：2018 年才开始，规划压缩到三年完成", ""),
    "scenario_desc_stations_first": ("覆盖优先：驿站与机具在 2016–17 年集中布放，数字类杠杆缩减", ""),
}

# Lever labels and what each assumes: name -> (Chinese label, English label, Chinese tip, English tip).
LEVER_TEXT: dict[str, tuple[str, str, str, str]] = {
    "manager_visits": ("走千访万 / 一人一格", "Account-manager visits",
                       "每位客户经理每月额外走访户数；先给未建档户建档。",
                       "Extra households visited per account manager per month; unfiled households first."),
    "village_campaigns": ("整村授信", "Whole-village credit",
                          "每年额外整村授信的村数，批量评级、授信、发卡。",
                          "Extra villages a year rated and granted credit lines in one campaign."),
    "stations": ("丰收驿站", "Village service stations",
                 "每年新开驿站数，仅在 200 人以上且无服务的村；开站前须备足到 2020 年的运营费。",
                 "Stations opened a year in unserved villages of 200+; opens only if opex to 2020 is funded."),
    "devices": ("自助机具", "Self-service devices",
                "每年在 200 人以下村布放的机具数。", "Device points a year in villages under 200 residents."),
    "community_outlets": ("社区银行", "Community outlets",
                          "每年在城区社区新开的网点数。", "Community banking outlets opened a year in towns."),
    "digital_platform": ("丰收互联 / 普惠通", "Digital platform",
                         "每年平台投入（元）；按参照投入推高线上渠道采用。",
                         "Platform spend a year (CNY); pushes online-channel adoption relative to a reference spend."),
    "fee_waivers": ("减费（免收费用）", "Fee waivers",
                    "免收账户、卡费与转账手续费的账户比例。", "Share of eligible accounts with fees waived."),
    "rate_discounts": ("让利（利率优惠）", "Rate discounts",
                       "小额信用、农户与低收入贷款的利率优惠（基点）。",
                       "Discount in basis points on small-credit, farm and low-income loans."),
    "lectures": ("普惠金融讲堂", "Financial-literacy lectures",
                 "每年讲堂场数；听课农户金融知识提高。", "Lectures a year; attendees' financial literacy rises."),
    "low_income_loans": ("低收入农户贷款", "Low-income household loans",
                         "低收入农户中获得专项贷款产品的比例。",
                         "Share of low-income households reached by the targeted loan product."),
    "industry_apps": ("行业应用", "Industry apps",
                      "每年上线的行业应用场景数。", "New industry application scenarios launched a year."),
    "mobile_lending": ("普惠通（移动办贷）", "Mobile lending",
                       "配备移动一站式办贷平台的客户经理比例。",
                       "Share of account managers equipped with the mobile one-stop lending platform."),
    "credit_info": ("信用信息共享平台", "Shared credit information",
                    "共享信用平台覆盖其数据的农户比例。",
                    "Share of households whose data the shared credit platform covers."),
    "housing_loans": ("治危拆违住房贷款", "Housing-renovation loans",
                      "需要改造住房的农户中获得贷款（8 项措施）的比例。",
                      "Share of renovating households reached by the loans (the 8 measures)."),
    "worker_loans": ("一卡一贷", "Worker cards and loans",
                     "每年发放的职工服务卡（附蓝领贷授信）张数。",
                     "Worker service cards with a blue-collar credit line issued a year."),
    "sme_processing": ("普惠快车 / 小微专车", "Small-firm fast lane",
                       "实行标准化小微企业办贷流程的县级行社比例。",
                       "Share of county banks running standardised small-firm loan processing."),
    "sme_rating": ("小微企业信用评级", "Small-firm credit rating",
                   "每年额外评级的小微企业户数。", "Extra small firms rated a year."),
    "guarantee_fund": ("信保基金", "Credit guarantee fund",
                       "本行每年向信用保证基金注资（元）。",
                       "The bank's contribution to the credit guarantee fund a year (CNY)."),
    "cooperatives": ("三位一体 / 农合联", "Cooperatives",
                     "服务到的合作社与农业企业比例。", "Share of cooperatives and agricultural firms served."),
    "green_credit": ("绿色信贷", "Green credit",
                     "审批与定价中绿色评估的推行程度（0–1）。",
                     "Rollout (0-1) of green assessment in approval and pricing."),
    "subsidy_payments": ("惠农补贴代理发放", "Farm subsidy payments",
                         "通过本行发放补贴的农户比例。",
                         "Share of farm households whose subsidies are paid through the bank."),
}


# Report text (experiments/compare.py, experiments/budget.py): key -> (Chinese, English). Templates use
# str.format fields; numbers arrive already formatted with their units (sim.experiment.fmt).
REPORT_TEXT: dict[str, tuple[str, str]] = {
    "r_compare_title": ("情景比较", "Scenario comparison"),
    "r_budget_title": ("预算扫描", "Budget sweep"),
    "r_findings": ("主要发现", "Findings"),
    "r_outlook": ("{cell}：{likely} 个目标很可能达标（达标概率 ≥ {hi}），{middle} 个不确定，{unlikely} 个不太可能"
                  "达标（< {lo}）；平均每次模拟达标 {mean} 个（共 {n} 个目标）。",
                  "{cell}: {likely} goals likely met (probability ≥ {hi}), {middle} uncertain, {unlikely} unlikely "
                  "(< {lo}); {mean} of the {n} goals met on average per replication."),
    "r_against": ("{cell}与参照情景{ref}逐种子配对比较：",
                  "{cell} against the reference {ref}, paired seed by seed:"),
    "r_better": ("明显更好（区间不含 0）：{items}。", "clearly better (the interval excludes zero): {items}."),
    "r_worse": ("明显更差（区间不含 0）：{items}。", "clearly worse (the interval excludes zero): {items}."),
    "r_noise": ("差别可能只是随机波动（区间含 0），不能下结论：{items}。",
                "no clear difference, could be chance (the interval includes zero): {items}."),
    "r_same": ("每次模拟都相同：{items}。", "identical in every replication: {items}."),
    "r_p_met_change": ("达标概率 {before} → {after}", "P(met) {before} → {after}"),
    "r_buys": ("{cell}比{ref}多花 {extra}，对其明显改善的目标，每单位改善的花费：{items}。",
               "{cell} spends {extra} more than {ref}; for the goals it clearly improves, each unit costs: {items}."),
    "r_buys_none": ("{cell}比{ref}多花 {extra}，但没有目标得到明显改善。",
                    "{cell} spends {extra} more than {ref} but clearly improves no goal."),
    "r_saves": ("{cell}比{ref}少花 {saving}。", "{cell} spends {saving} less than {ref}."),
    "r_unlikely_all": ("任何情景都不太可能达标的目标（达标概率 < {lo}）：{items}。",
                       "Goals no scenario is likely to meet (probability < {lo}): {items}."),
    "r_unlikely_sweep": ("在扫描的任何总额与分配方案下都不太可能达标的目标（达标概率 < {lo}）：{items}。",
                         "Goals unlikely to be met at every total and allocation swept (probability < {lo}): {items}."),
    "r_unlikely_none": ("每个目标至少在一个情景中有不低于 {lo} 的达标概率。",
                        "Every goal has a probability of at least {lo} in some scenario."),
    "r_least_below": ("{cell}：最小的扫描总额 {total} 即已使达标概率 ≥ {p}：{items}。",
                      "{cell}: a probability ≥ {p} already at the smallest total swept, {total}: {items}."),
    "r_least_bracketed": ("{cell}：总预算从 {low} 增至 {total} 时，达标概率升至 ≥ {p}（括号内为线性插值）：{items}。",
                          "{cell}: a probability ≥ {p} reached between {low} and {total} (in brackets: by linear "
                          "interpolation): {items}."),
    "r_about": ("（约 {x}）", " (about {x})"),
    "r_not_reached": ("{cell}：在扫描的总额内（最高 {top}）达不到的目标：{items}。",
                      "{cell}: goals not reached at any total swept (up to {top}): {items}."),
    "r_money_pair": ("{cell}：总预算从 {low} 增至 {high}（同一批种子配对）：",
                     "{cell}: the total budget raised from {low} to {high} (paired on the same seeds):"),
    "r_buys_money": ("多花 {extra}，对明显改善的目标，每单位改善的花费：{items}。",
                     "the extra {extra} buys, per unit of each goal it clearly improves: {items}."),
    "r_at_top": ("{cell}：总预算 {top} 时，{likely} 个目标很可能达标（≥ {hi}）。",
                 "{cell}: at a total of {top}, {likely} goals likely met (≥ {hi})."),
    "r_p_met_table": ("各目标的达标概率", "Probability of meeting each goal"),
    "r_p_met_cell": ("达标概率 [区间]", "P(met) [interval]"),
    "r_goal": ("目标", "Goal"),
    "r_target": ("2020 目标值", "2020 target"),
    "r_figures": ("图", "Figures"),
    "r_attainment_fig": ("各情景的目标完成度与达标概率", "Attainment and probability by scenario"),
    "r_trajectories": ("目标走势", "Trajectories"),
    "r_paired": ("与参照情景 {ref} 的配对差异", "Paired differences against {ref}"),
    "r_only_one": ("只有一个情景，无可比较。", "Only one scenario: nothing to compare."),
    "r_summary_table": ("各情景目标值（均值与区间）", "Goal values by scenario (mean and interval)"),
    "r_least_table": ("达标概率 ≥ {p} 所需的最少预算", "Least budget meeting each goal with probability ≥ {p}"),
    "r_p_vs_money": ("达标概率与资金", "Probability of meeting each goal against money"),
    "r_att_vs_money": ("目标完成度与资金", "Attainment against money"),
    "r_method": ("方法说明", "Method notes"),
    "r_reproduce": ("重现一次模拟", "Reproducing a run"),
    "r_reproduce_text": ("每次模拟的命令都在 runs_index.csv 中，例如：",
                         "Every run's command is in runs_index.csv, e.g."),
    "r_provenance": ("来源与版本", "Provenance"),
    "r_scenario": ("情景", "Scenario"),
    "r_reference": ("参照", "Reference"),
    "r_allocation": ("分配方案", "Allocation"),
    "r_total": ("总预算", "Total budget"),
    "r_mean": ("均值", "Mean"),
    "r_interval": ("区间", "Interval"),
    "r_p_met": ("达标概率", "P(met)"),
    "r_diff": ("差值（情景 − 参照）", "Difference (scenario − reference)"),
    "r_diff_interval": ("差值区间", "Interval of the difference"),
    "r_verdict": ("判断", "Verdict"),
    "r_v_better": ("明显更好", "clearly better"),
    "r_v_worse": ("明显更差", "clearly worse"),
    "r_v_noise": ("可能是随机波动", "could be chance"),
    "r_v_same": ("相同", "identical"),
    "r_share_better": ("更好的种子占比", "Seeds better"),
    "r_p_met_diff": ("达标概率差", "P(met) difference"),
    "r_cost_per_unit": ("每单位改善的花费", "Cost per unit of improvement"),
    "r_status": ("结论", "Status"),
    "r_least_total": ("最少总预算", "Least total"),
    "r_interpolated": ("插值估计", "Interpolated"),
    "r_conservative": ("保守估计（区间下限）", "Conservative (interval's lower end)"),
    "r_bracket_low": ("上一个扫描总额", "Previous total swept"),
    "s_bracketed": ("在扫描范围内", "bracketed"),
    "s_at_or_below_sweep": ("最小总额即达到", "at or below the sweep"),
    "s_not_reached": ("未达到", "not reached"),
    "r_ax_attainment": ("完成度（1 = 恰好达标）；均值与 {level} t 区间",
                        "attainment (1 = goal met exactly); mean and {level} t interval"),
    "r_ax_p_met": ("2020 年达标概率及 {level} 区间", "P(goal met in 2020) with {level} interval"),
    "r_ax_paired": ("达标概率差（情景 − {ref}），逐种子配对；{level} t 区间",
                    "P(met) minus P(met) of {ref}, paired by seed; {level} t interval"),
    "r_fig_paired_title": ("哪个情景比 {ref} 更常达标", "Which scenario meets which goal more often than {ref}"),
    "r_fig_traj_title": ("2016-2020 目标走势：模拟均值与 5-95% 区间；虚线 = 2020 目标",
                         "Goal trajectories 2016-2020: mean and 5-95% band over replications; dashed = 2020 target"),
    "r_fig_budget_title": ("{what}与总预算；阴影：{level} 区间",
                           "{what} against the total budget; bands: {level} intervals"),
    "r_fig_budget_x": ("2016-2020 规划总预算（亿元）", "total programme budget 2016-2020 (100 million CNY)"),
    "r_attainment_short": ("完成度（均值）", "attainment (mean)"),
    # method notes, at the end of a report
    "m_design_compare": ("情景：{cells}；每个情景 {n} 次模拟，"
                         "各情景使用同一批随机种子（共同随机数），参照情景为 {ref}。",
                         "Scenarios {cells}; {n} replications each, with the same seeds in every scenario (common "
                         "random numbers); reference scenario {ref}."),
    "m_design_budget": ("情景 {cells} × 分配方案 {allocs} × 总预算 {totals}；"
                        "每个组合 {n} 次模拟，各组合使用同一批随机种子。",
                        "Scenarios {cells} x allocations {allocs} x totals {totals}; {n} replications per cell with "
                        "the same seeds in every cell."),
    "m_means": ("均值：各次模拟的均值及 {level} Student-t 区间；比例在 logit 尺度上、非负量在对数尺度上计算，"
                "区间不越出可能的范围（summary.csv 的 ci_method 列）。"
                "达标概率：2020 年达标的模拟所占比例，{level} {method} 区间。",
                "Means: {level} Student-t intervals over replications, built on the logit scale for shares and on "
                "the log scale for values never below zero, so that they stay in range (summary.csv, column "
                "ci_method). P(met): the share of replications meeting the 2020 goal, {level} {method} interval."),
    "m_paired": ("配对差值：同一种子下情景减参照，差值的 {level} t 区间（达标概率之差用 Newcombe 配对区间）。"
                 "区间不含 0 记为“明显”，含 0 记为“可能是随机波动”，"
                 "每次都相同记为“相同”。",
                 "Paired differences: scenario minus reference seed by seed, {level} t interval of the differences "
                 "(for P(met), Newcombe's interval for paired proportions). "
                 "An interval that excludes zero is called clear, one that includes zero could be chance, and "
                 "equal values in every replication are identical."),
    "m_cost": ("每单位改善的花费：相对参照多花的钱除以目标在其方向上的平均改善（配对均值）；只对明显改善的目标给出。"
               "每个目标都按全部多花的钱计算，因此不同目标的花费不能相加。",
               "Cost per unit: extra spend over the reference divided by the mean improvement of the goal in its "
               "direction (paired means); quoted only for goals clearly improved. Each goal is charged the whole "
               "extra spend, so the costs of different goals do not add up."),
    "m_least": ("最少预算：扫描总额中使达标概率在其后每个总额都 ≥ {p} 的最小者；"
                "若更小的总额未达到，则在两者间线性插值；"
                "保守估计用区间下限。资金的配对比较：每个组合的最高总额对最低总额，逐种子配对。",
                "Least budget: the smallest swept total from which P(met) >= {p} at every larger total; when a smaller "
                "total fell short it is interpolated linearly between the two; the conservative answer uses the "
                "interval's lower end. Money paired: each cell's largest total against its smallest, seed by seed."),
    "m_likely": ("“很可能达标”指达标概率 ≥ {hi}，“不太可能”指 < {lo}。",
                 "Likely met means P(met) >= {hi}; unlikely means P(met) < {lo}."),
    "m_units": ("金额以亿元 / 万元表示，比例以百分比表示，差值以百分点表示；原始数字见 summary.csv 与 paired.csv。",
                "Money in million or billion CNY, shares as percentages, their differences in percentage points; "
                "the raw numbers are in summary.csv and paired.csv."),
    "m_runtime": ("每次模拟的模型时间：平均 {s} 秒，共 {n} 次。", "Model time per run: mean {s} s over {n} runs."),
    # parameter uncertainty (uncertainty=lhs|posterior)
    "u_seed_only": ("仅随机种子", "seeds only"),
    "u_with_parameters": ("参数与种子", "parameters and seeds"),
    "u_table": ("承认参数不确定性前后的达标概率", "P(met) with seeds only and with parameter uncertainty admitted"),
    "u_finding": ("{cell}：只计随机种子时 {seed} 个目标很可能达标（≥ {hi}），"
                  "计入参数不确定性后 {params} 个（共 {n} 个）。",
                  "{cell}: {seed} goals likely met (≥ {hi}) with seeds only, {params} once parameter uncertainty is "
                  "admitted (of {n})."),
    "u_moved": ("达标概率变化较大的目标：{items}。", "Goals whose P(met) moves most: {items}."),
    "u_all_params": ("全部不确定标量参数", "every uncertain scalar parameter"),
    "u_src_lhs": ("按声明的合理范围与分布做拉丁超立方抽样", "a Latin hypercube over the declared plausible ranges and "
                  "distributions"),
    "u_src_posterior": ("从校准的后验样本 {path} 中有放回抽取", "drawn with replacement from the calibration's "
                        "accepted sets {path}"),
    "m_uncertainty": ("参数不确定性：{k} 组参数（{what}；{source}，种子 {seed}），"
                      "第 i 次模拟使用第 i mod {k} 组与第 i 个随机种子，各情景相同，配对不变；"
                      "另以相同的 {n} 个种子、参数取默认值运行“仅随机种子”设计，两者的区间并列。"
                      "发现、图与配对差值均基于“参数与种子”设计。",
                      "Parameter uncertainty: {k} parameter sets ({what}; {source}, seed {seed}); replication i runs "
                      "set i mod {k} with seed i, the same in every scenario, so pairing stays intact. The seed-only "
                      "design (the parameters' defaults, the same {n} seeds) runs beside it, and both intervals are "
                      "shown side by side. Findings, figures and paired differences use the parameters-and-seeds "
                      "design."),
    # sensitivity analysis (experiments/sensitivity.py)
    "s_title": ("敏感性分析", "Sensitivity analysis"),
    "s_goals_met": ("达标目标数", "goals met"),
    "s_outcome_goals_met": ("达标的成果类目标数", "outcome goals met"),
    "s_attainment": ("完成度", "attainment"),
    "s_met": ("是否达标", "met"),
    "s_finding": ("{outcome}：{n} 个参数（共 {of} 个）的影响超出随机种子噪声，由强到弱：{items}。"
                  "默认参数下 {seeds} 个种子间的标准差为 {sd}。",
                  "{outcome}: {n} of {of} parameters have effects that stand out of the seed noise, strongest "
                  "first: {items}. Across {seeds} seeds at the defaults the outcome's sd is {sd}."),
    "s_ranking": ("参数重要性排序（蓝色：超出噪声；红色虚线：噪声水平）",
                  "Ranking of the parameters (blue: stands out of the noise; red dashed line: the noise level)"),
    "s_indices": ("敏感性指标（每个结果前 15 个参数）", "Sensitivity indices (top 15 parameters per outcome)"),
    "s_noise_table": ("随机种子噪声：默认参数下 {n} 个种子的均值与标准差",
                      "Seed noise: mean and sd over {n} seeds at the defaults"),
    "s_outcome": ("结果", "Outcome"),
    "s_parameter": ("参数", "Parameter"),
    "s_noise": ("噪声水平", "Noise level"),
    "s_stands_out": ("超出噪声", "Stands out"),
    "s_yes": ("是", "yes"),
    "s_no": ("否", "no"),
    "s_axis_morris": ("μ*（基本效应绝对值的均值）及区间", "μ* (mean absolute elementary effect) with interval"),
    "s_axis_sobol": ("总效应指数 ST 及区间", "total-effect index ST with interval"),
    "s_fig_title": ("哪些不确定参数驱动结果", "Which uncertain parameters drive each outcome"),
    "s_m_morris": ("Morris 筛选：{k} 个参数在声明的合理范围内，{n} 条轨迹、{levels} 个水平，"
                   "共 {points} 组参数；情景 {scenario}。",
                   "Morris screening: {k} parameters over their declared plausible ranges, {n} trajectories on "
                   "{levels} levels, {points} parameter sets; scenario {scenario}."),
    "s_m_sobol": ("Sobol 指数：{k} 个参数在声明的合理范围内，基础样本 {n}（Saltelli 抽样），"
                  "共 {points} 组参数；情景 {scenario}。",
                  "Sobol indices: {k} parameters over their declared plausible ranges, base sample {n} (Saltelli), "
                  "{points} parameter sets; scenario {scenario}."),
    "s_m_seeds": ("共同随机数：每组参数使用相同的前 {s} 个种子；默认参数另用 {r} 个种子运行，其标准差即随机种子噪声。",
                  "Common random numbers: every parameter set runs with the same first {s} seed(s); the defaults run "
                  "with {r} seeds, whose sd is the seed-noise level."),
    "s_m_noise_morris": ("若两次模拟仅随机种子不同，其基本效应约为 √2·sd/Δ（噪声水平）；"
                         "μ* 区间下限高于它的参数记为“超出噪声”。",
                         "Two runs differing only by their seeds would give elementary effects of about √2·sd/Δ (the "
                         "noise level); a parameter stands out when the lower end of its μ* interval lies above it."),
    "s_m_noise_sobol": ("随机种子噪声可解释的输出方差比例为 sd²/Var(Y)（噪声水平）；"
                        "ST 区间下限高于它的参数记为“超出噪声”。",
                        "Seed noise can explain a share sd²/Var(Y) of the output variance (the noise level); a "
                        "parameter stands out when the lower end of its ST interval lies above it."),
    "s_m_intervals": ("区间：{level}，对轨迹（Morris）或样本（Sobol）做 {b} 次自助重抽样；指标由 SALib 计算。",
                      "Intervals: {level}, from {b} bootstrap resamples of the trajectories (Morris) or the samples "
                      "(Sobol); indices computed by SALib."),
}
TEXT.update(REPORT_TEXT)

# Who is reached (sim.equity): the summary measures, what they measure, the groups, and the report's and page's
# words for them.
EQUITY_TEXT: dict[str, tuple[str, str]] = {
    "eq_remote_near_gap": ("偏远村与近村之差", "remote–near gap"),
    "eq_bottom_top_gap": ("最低与最高收入五等份之差", "bottom–top quintile gap"),
    "eq_concentration_index": ("按收入的集中指数", "concentration index by income"),
    "eq_line": ("有授信的家庭占比", "households with a credit line"),
    "eq_loan": ("有贷款的家庭占比", "households with a loan"),
    "eq_digital": ("数字金融客户占比", "digital customers"),
    "eq_distance": ("到最近服务点的距离", "distance to the nearest service point"),
    "eq_share_with_line": ("有授信的家庭占比", "households with a credit line"),
    "eq_share_with_loan": ("有贷款的家庭占比", "households with a loan"),
    "eq_share_digital": ("数字金融客户占比", "digital customers"),
    "eq_near": ("近村", "near villages"),
    "eq_remote": ("偏远村（山区、海岛或 2015 年距网点较远）", "remote villages (mountain, island or far in 2015)"),
    "eq_q1": ("最低 20%", "bottom 20%"),
    "eq_q5": ("最高 20%", "top 20%"),
    "r_equity": ("普惠到谁：2020 年末的差距", "Who is reached: the gaps at the end of 2020"),
    "r_equity_intro": (
        "偏远村与近村之差 = 偏远村（山区、海岛或 2015 年距网点较远）的占比减近村的占比；最低与最高收入五等份之差 = "
        "2015 年农村收入最低 20% 农户的占比减最高 20% 的占比（距离为公里数之差）；"
        "集中指数 > 0 表示集中在收入较高的农户。"
        "区间为 {level} 置信区间；配对差异为各情景与参照情景 {ref} 同一种子之差。",
        "Remote–near gap: the share in remote villages (mountain, island or far from an outlet in 2015) minus the "
        "share in the other villages; bottom–top gap: the share among the poorest 20% of rural households (2015 "
        "income) minus the richest 20% (distance in km). A concentration index above 0 means concentrated among "
        "the better-off. Intervals at {level}; paired differences against the reference {ref}, seed by seed."),
    "r_measure": ("指标", "Measure"),
    "r_ratio": ("与参照之比", "Ratio to the reference"),
    "r_reference_value": ("参照情景", "Reference"),
    "r_eq_finding": (
        "{cell}：{measure}为 {value}，{ref}为 {ref_value}（{ratio}）；"
        "配对差异 {diff}，{level} 区间 {low} 至 {high}{noise}。",
        "{cell}: the {measure} is {value} against {ref_value} under {ref} ({ratio}); paired difference {diff}, "
        "{level} interval {low} to {high}{noise}."),
    "r_eq_noise": ("，可能是随机波动", ", which could be chance"),
    "r_eq_ratio": ("为参照的 {x} 倍", "{x} times the reference's"),
    "r_eq_money": (
        "{cell}：预算从 {low} 增至 {high}，{measure}从 {before} 变为 {after}；"
        "配对差异 {diff}，{level} 区间 {lo} 至 {hi}{noise}。",
        "{cell}: from {low} to {high}, the {measure} goes from {before} to {after}; paired difference {diff}, "
        "{level} interval {lo} to {hi}{noise}."),
    "r_smallest_total": ("同一组合的最小预算", "the smallest total of the same cell"),
    # the workshop's equity view
    "equity": ("普惠到谁", "Who is reached"),
    "equity_metric_tip": ("地图按所选指标给各县着色（当前月份，占全部农户的比例）。",
                          "The map colours each county by the chosen measure (this month, share of all households)."),
    "equity_gaps": ("差距：本组对比规划参照（同一种子、同一月份）",
                    "Gaps: now against the plan reference (same seed, same month)"),
    "equity_now": ("本组", "This run"),
    "equity_plan": ("规划参照", "Plan reference"),
}
TEXT.update(EQUITY_TEXT)

# The optimiser's report (sim/experiment/optimise_report.py).
OPTIMISE_TEXT: dict[str, tuple[str, str]] = {
    "o_title": ("预算分配优化", "Budget allocation search"),
    "o_best": ("最优分配", "best allocation"),
    "o_plan": ("规划分配", "plan's allocation"),
    "o_objective_goals_met": ("达标目标数的期望", "expected number of goals met"),
    "o_objective_outcome_goals_met": ("成效类目标达标数的期望", "expected number of outcome goals met"),
    "o_objective_p_all": ("所选目标全部达标的概率", "probability that every named goal is met"),
    "o_objective_weighted": ("加权完成度之和（每个目标最多计 1）", "weighted sum of attainments (each capped at 1)"),
    "o_headline": ("总预算 {total}：在 {n} 个候选分配中搜索（目标：{objective}），选出的最优分配在 {h} 个搜索从未用过的"
                   "新随机种子上：{objective_short} {best}（{level} 区间 {best_ci}），规划分配 {plan}（{plan_ci}）；"
                   "逐种子配对差 {diff}（区间 {diff_ci}）。",
                   "Total {total}: searched {n} candidate allocations (objective: {objective}); on {h} fresh seeds the "
                   "search never saw, the best allocation scores {best} ({level} interval {best_ci}) against the "
                   "plan's {plan} ({plan_ci}); paired difference {diff} (interval {diff_ci})."),
    "o_beats": ("结论：最优分配在样本外明显优于规划分配（区间不含 0）。",
                "Verdict: the best allocation clearly beats the plan's out of sample (the interval excludes zero)."),
    "o_not_beats": ("结论：最优分配在样本外没有明显优于规划分配——区间含 0，差别可能只是随机波动。"
                    "搜索没有找到比规划更好的分配。",
                    "Verdict: the best allocation does NOT beat the plan's out of sample: the interval includes zero, "
                    "so the difference could be chance. The search found no allocation better than the plan's."),
    "o_worse": ("结论：最优分配在样本外明显不如规划分配（区间在 0 以下）。搜索没有找到比规划更好的分配。",
                "Verdict: the best allocation does worse than the plan's out of sample (the interval is below zero). "
                "The search found no allocation better than the plan's."),
    "o_same": ("结论：最优分配与规划分配在每个新种子上结果相同。",
               "Verdict: the best allocation and the plan's gave the same result on every fresh seed."),
    "o_goals_met": ("达标目标数：最优分配 {best}（{best_ci}），规划分配 {plan}（{plan_ci}），"
                    "配对差 {diff}（{diff_ci}）。",
                    "Goals met: best allocation {best} ({best_ci}), plan's {plan} ({plan_ci}), paired difference "
                    "{diff} ({diff_ci})."),
    "o_moved": ("资金流向：增加最多的是 {up}；减少最多的是 {down}。",
                "Where the money moved: the largest increases went to {up}; the largest cuts came from {down}."),
    "o_spent": ("实际花费（样本外平均）：最优分配 {best}，规划分配 {plan}（总预算 {total}；举措用不完的钱不花出去）。",
                "Money actually spent (out-of-sample mean): best allocation {best}, plan's {plan} (of {total}; money a "
                "lever cannot use stays unspent)."),
    "o_in_sample": ("搜索内部得分（{r} 个搜索种子上 {score}）不作为结果：赢家是在这些种子上挑出来的，"
                    "其得分偏高（赢家诅咒）。",
                    "The in-sample score ({score} on {r} search seeds) is not the result: the winner was picked on "
                    "those seeds, so its score there is biased upward (the winner's curse)."),
    "o_constraint": ("约束 {goal} 达标概率 ≥ {p}：最优分配在样本外为 {got}（{ci}）{ok}。",
                     "Constraint P({goal} met) ≥ {p}: out of sample the best allocation has {got} ({ci}){ok}."),
    "o_eq_constraint": ("公平约束「{measure}不扩大」：样本外最优分配 {best} {best_ci}，规划 {plan} {plan_ci}；"
                        "差距绝对值的配对变化 {diff}（{level} 区间 [{lo}, {hi}]）{ok}。",
                        "Equity constraint, {measure} no wider: out of sample the best allocation has {best} "
                        "{best_ci}, the plan {plan} {plan_ci}; the paired change of the gap's size {diff} "
                        "({level} interval [{lo}, {hi}]){ok}."),
    "o_constraint_ok": ("，满足", ", met"),
    "o_constraint_not": ("，不满足", ", NOT met"),
    "o_least": ("所选目标全部达标概率 ≥ {p} 的最少总预算：{total}。",
                "The least total at which every named goal is met with probability ≥ {p}: {total}."),
    "o_least_none": ("在搜索的各个总预算下，所选目标全部达标的概率都没有达到 {p}。",
                     "At no total searched is every named goal met with probability ≥ {p}."),
    "o_p_met_table": ("各目标达标概率（样本外，{level} 区间）", "P(goal met) out of sample ({level} interval)"),
    "o_paired": ("最优分配与规划分配逐种子配对比较（样本外）",
                 "Best allocation against the plan's, paired (out of sample)"),
    "o_shares": ("资金分配：规划与最优", "Shares of the money: plan and best"),
    "o_share": ("份额", "share"),
    "o_lever": ("举措", "lever"),
    "o_change": ("变化", "change"),
    "o_convergence": ("搜索过程（样本内得分，仅用于看收敛）", "The search (in-sample scores, to see convergence only)"),
    "o_candidate": ("候选序号", "candidate"),
    "o_first_rung": ("第一轮得分", "first-rung score"),
    "o_best_so_far": ("目前最好", "best so far"),
    "o_promoted": ("晋级候选（更多种子上的得分）", "promoted (score on more seeds)"),
    "o_frontier": ("资金前沿：达标目标数与总预算（样本外）",
                   "The money frontier: goals met against the total (out of sample)"),
    "o_goals_met_axis": ("达标目标数（{level} 区间）", "goals met ({level} interval)"),
    "o_p_all_axis": ("所选目标全部达标的概率（%）", "P(every named goal met) (%)"),
    "o_total": ("总预算", "total"),
    "m_design_optimise": ("搜索：Optuna {sampler} 采样器，每个总预算 {n} 个候选；份额由单纯形参数化生成"
                          "（每个分量 x∈(0,1]，权重 −ln x，再归一），份额非负且合计为 1；搜索的举措：{levers}；"
                          "其余举措：{others}。每个候选使用相同的复制种子（公共随机数）；逐轮减半：先用 {r0} 个种子，"
                          "每轮前 {promote} 晋级到加倍的种子数，共 {rungs} 轮（{reps}）。",
                          "Search: Optuna's {sampler} sampler, {n} candidates at each total; shares from a simplex "
                          "parametrisation (each component x in (0, 1], weight −ln x, normalised), so they are ≥ 0 and "
                          "add to 1; levers searched: {levers}; the others: {others}. Every candidate runs on the same "
                          "replication seeds (common random numbers); successive halving: {r0} seeds first, the top "
                          "{promote} of each rung promoted to twice as many, {rungs} rungs ({reps})."),
    "m_holdout": ("结果：每个总预算下最高一轮中最好的候选（可行者优先），与情景自身的分配一起在 {h} 个新种子上重跑"
                  "（SeedSequence 的另一分支，搜索从未见过），逐种子配对；报告中的数字都来自这些样本外模拟。",
                  "Result: the best candidate of the highest rung at each total (feasible ones first) is run again "
                  "with the scenario's own allocation on {h} fresh seeds (another branch of the SeedSequence, never "
                  "seen by the search), paired seed by seed; every number of this report comes from these "
                  "out-of-sample runs."),
    "o_others_plan": ("按情景比例分享其余资金（其余资金的份额也参与搜索）",
                      "share the rest in the scenario's proportions (the rest's share is searched)"),
    "o_others_zero": ("不分配资金", "get no money"),
    "o_all_levers": ("全部", "all"),
}
TEXT.update(OPTIMISE_TEXT)

# Scenario labels for reports: name -> (Chinese, English); a scenario missing here shows its file name.
SCENARIO_TEXT: dict[str, tuple[str, str]] = {
    "plan": ("规划", "plan"),
    "no_program": ("无新举措", "no programme"),
    "stations_first": ("驿站优先", "stations first"),
    "digital_first": ("数字优先", "digital first"),
    "campaigns_first": ("授信优先", "credit campaigns first"),
    "fee_relief_heavy": ("减费让利为主", "fee and rate relief heavy"),
    "half_budget": ("预算减半", "half budget"),
    "double_budget": ("预算翻倍", "double budget"),
    "late_start": ("推迟启动", "late start"),
}


def scenario_label(name: str, lang: str) -> str:
    """A scenario's label in ``lang``; the file name for a scenario without a translation."""
    pair = SCENARIO_TEXT.get(name)
    return name if pair is None else pair[0 if lang == "zh" else 1]


def t(key: str, lang: str) -> str:
    """The page text ``key`` in ``lang`` ('zh' or 'en'); the key itself if unknown."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def lever_names() -> tuple[str, ...]:
    """The levers of the model, in the month's order."""
    from sim.levers import LEVER_NAMES

    return LEVER_NAMES


def _doc_label(name: str) -> tuple[str, str]:
    """Label a lever without a translation from its config docstring: '走千访万 / ...: what it does'."""
    field = {f.name: f for f in dataclasses.fields(LeversConf)}[name]
    doc = (field.default_factory.__doc__ or "").strip()  # type: ignore[union-attr]
    head, _, rest = doc.partition(":")
    plain = name.replace("_", " ").capitalize()
    return (head.strip() or plain), (rest.strip() or doc or plain)


def lever_label(name: str, lang: str) -> str:
    """A lever's short label."""
    if name in LEVER_TEXT:
        return LEVER_TEXT[name][0 if lang == "zh" else 1]
    head, _ = _doc_label(name)
    return head if lang == "zh" else name.replace("_", " ").capitalize()


def lever_tip(name: str, lang: str) -> str:
    """What a lever's intensity means and assumes."""
    if name in LEVER_TEXT:
        return LEVER_TEXT[name][2 if lang == "zh" else 3]
    return _doc_label(name)[1]


@cache
def goal_names() -> dict[str, tuple[str, str]]:
    """goal_id -> (name_zh, name_en) from the goals file."""
    return {g.goal_id: (g.name_zh, g.name_en) for g in load_goals()}


def goal_name(goal_id: str, lang: str) -> str:
    """A goal's name in ``lang``."""
    zh, en = goal_names()[goal_id]
    return zh if lang == "zh" else en


def county_name(i: int, lang: str) -> str:
    """County ``i`` (0..8) in ``lang``."""
    return COUNTIES[i] if lang == "zh" else COUNTIES_EN[i]
