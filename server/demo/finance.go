package demo

import (
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// budgetFinance is the 2026 departmental budget by functional classification
// (政府收支分类科目), with the spending to the end of October as the actual.
func budgetFinance() *hall.Finance {
	l := func(code, name, parent string, plan, actual int64) hall.FinanceLine {
		return hall.FinanceLine{Code: code, Name: name, Parent: parent, Amount: yuan(actual), Budget: budget(yuan(plan))}
	}
	return &hall.Finance{Currency: "CNY", Unit: "wan", Lines: []hall.FinanceLine{
		l("total", "一般公共预算支出合计", "", 45_520_000, 36_591_350),
		l("201", "一般公共服务支出", "total", 11_860_000, 9_619_300),
		l("20103", "政府办公厅（室）及相关机构事务", "201", 9_860_000, 8_012_400),
		l("20106", "财政事务", "201", 1_320_000, 1_085_600),
		l("20111", "纪检监察事务", "201", 680_000, 521_300),
		l("204", "公共安全支出", "total", 2_450_000, 1_963_800),
		l("205", "教育支出", "total", 1_180_000, 1_026_000),
		l("208", "社会保障和就业支出", "total", 5_460_000, 4_531_850),
		l("20802", "民政管理事务", "208", 960_000, 742_500),
		l("20805", "行政事业单位养老支出", "208", 3_240_000, 2_701_200),
		l("20819", "最低生活保障", "208", 300_000, 214_650),
		l("20820", "临时救助", "208", 100_000, 61_500),
		l("20828", "退役军人管理事务", "208", 860_000, 812_000),
		l("210", "卫生健康支出", "total", 1_560_000, 1_248_700),
		l("212", "城乡社区支出", "total", 20_870_000, 16_994_200),
		l("21201", "城乡社区管理事务", "212", 6_850_000, 5_532_900),
		l("21203", "城乡社区公共设施", "212", 8_600_000, 6_975_000),
		l("21205", "城乡社区环境卫生", "212", 5_420_000, 4_486_300),
		l("213", "农林水支出", "total", 1_640_000, 1_207_500),
		l("227", "预备费", "total", 500_000, 0),
	}}
}

func budgetItem() *hall.Item {
	f := budgetFinance()
	total := line(f, "total")
	var rows strings.Builder
	for _, c := range children(f, "total") {
		rows.WriteString("| " + c.Code + " | " + c.Name + " | " + wanText(*c.Budget) + " | " +
			wanText(c.Amount) + " | " + rateText(c.Amount, *c.Budget) + " |\n")
	}
	rows.WriteString("| | **合计** | **" + wanText(*total.Budget) + "** | **" + wanText(total.Amount) +
		"** | **" + rateText(total.Amount, *total.Budget) + "** |\n")
	community, social := line(f, "212"), line(f, "208")
	body := fill(`## 一、编制依据

本预算依据《中华人民共和国预算法》及其实施条例、区财政局《关于编制2026年区级部门预算的通知》，结合街道2026年重点工作编制，经街道党工委会议研究、区人民政府审定后批复执行。

## 二、收支总体情况

2026年街道一般公共预算收支总额均为 **{total}万元**，收支平衡。收入全部为区财政补助，其中基本支出3,186.40万元，项目支出1,365.60万元。

截至2026年10月31日，累计支出 **{actual}万元**，预算执行率 **{rate}**。财务明细表同时列示各科目的预算数和执行数。

## 三、支出功能分类

| 科目编码 | 科目名称 | 预算数（万元） | 1—10月执行数（万元） | 执行率 |
|:--|:--|--:|--:|--:|
{rows}
## 四、重点支出说明

- **城乡社区支出 {community}万元**，占支出总额的{communityShare}，主要用于背街小巷环境整治、垃圾分类运营和青石河滨河步道改造等城乡社区公共设施建设。
- **社会保障和就业支出 {social}万元**，主要用于最低生活保障、临时救助、退役军人优抚和机关事业单位养老保险缴费。
- **预备费 50.00万元**，用于预算执行中自然灾害等突发事件处置，截至10月底未动用。

## 五、“三公”经费预算

| 项目 | 2026年预算（万元） | 2025年预算（万元） |
|:--|--:|--:|
| 因公出国（境）费 | 0.00 | 0.00 |
| 公务用车购置及运行维护费 | 22.00 | 24.00 |
| 公务接待费 | 4.50 | 5.00 |
| **合计** | **26.50** | **29.00** |

“三公”经费比上年减少2.50万元，主要是压减公务用车运行和公务接待支出。

## 六、名词解释

- **基本支出**：保障机构正常运转、完成日常工作任务的人员经费和公用经费。
- **项目支出**：为完成特定工作任务和事业发展目标，在基本支出之外安排的支出。

如对本预算有疑问，可在工作日到财政所查询，或拨打 {phone} 咨询。
`,
		"total", wanText(*total.Budget), "actual", wanText(total.Amount), "rate", rateText(total.Amount, *total.Budget),
		"rows", rows.String(), "community", wanText(*community.Budget), "communityShare", rateText(*community.Budget, *total.Budget),
		"social", wanText(*social.Budget), "phone", phoneFinance)
	return &hall.Item{
		Category:   catBudget,
		Department: deptFinance,
		Cadence:    hall.CadenceAnnual,
		Title:      "2026年度街道部门预算",
		Summary: "2026年街道一般公共预算支出" + wanText(*total.Budget) + "万元，收支平衡；截至10月底已执行" +
			wanText(total.Amount) + "万元，执行率" + rateText(total.Amount, *total.Budget) + "。按科目列示预算数与执行数。",
		Body:    body,
		Finance: f,
	}
}

// monthlyFinance is the street office's income and spending in October 2026.
func monthlyFinance() *hall.Finance {
	l := func(code, name, parent string, fen int64) hall.FinanceLine {
		return hall.FinanceLine{Code: code, Name: name, Parent: parent, Amount: fen}
	}
	f := &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: []hall.FinanceLine{
		l("in", "收入合计", "", 382_966_756),
		l("in-01", "上级财政补助收入（基本支出）", "in", 312_000_000),
		l("in-02", "上级财政补助收入（项目支出）", "in", 62_000_000),
		l("in-03", "国有资产出租收入", "in", 8_645_000),
		l("in-04", "利息及其他收入", "in", 321_756),
		l("out", "支出合计", "", 368_526_230),
		l("out-01", "工资福利支出", "out", 198_634_000),
		l("out-02", "商品和服务支出", "out", 25_268_730),
		l("out-0201", "办公费", "out-02", 5_823_050),
		l("out-0202", "水电费", "out-02", 3_641_280),
		l("out-0203", "物业管理费", "out-02", 9_600_000),
		l("out-0204", "差旅费", "out-02", 1_246_800),
		l("out-0205", "维修（护）费", "out-02", 2_794_000),
		l("out-0206", "公务用车运行维护费", "out-02", 1_835_600),
		l("out-0207", "公务接待费", "out-02", 328_000),
		l("out-03", "对个人和家庭的补助", "out", 5_413_500),
		l("out-0301", "最低生活保障金", "out-03", 1_703_500),
		l("out-0302", "临时救助金", "out-03", 450_000),
		l("out-0303", "高龄津贴", "out-03", 3_260_000),
		l("out-04", "项目支出", "out", 134_530_000),
		l("out-0401", "青石河滨河步道改造工程进度款", "out-04", 98_000_000),
		l("out-0402", "背街小巷环境整治", "out-04", 21_680_000),
		l("out-0403", "垃圾分类运营服务", "out-04", 14_850_000),
		l("out-05", "资本性支出（办公设备购置）", "out", 4_680_000),
	}}
	// The balance stands apart from both totals.
	f.Lines = append(f.Lines, l("balance", "本月收支结余", "", line(f, "in").Amount-line(f, "out").Amount))
	return f
}

func monthlyFinanceItem() *hall.Item {
	f := monthlyFinance()
	in, out, bal := line(f, "in"), line(f, "out"), line(f, "balance")
	body := fill(`## 本月收支概况

2026年10月，街道收入合计 **{in}元**，支出合计 **{out}元**，本月收支结余 **{balance}元**。收支明细见财务明细表，“收入合计”“支出合计”下逐级列示子项。

## 收入说明

- **上级财政补助收入（基本支出）{in01}元**：区财政按月拨付的人员经费和公用经费。
- **上级财政补助收入（项目支出）{in02}元**：区级城乡社区公共设施专项补助，用于青石河滨河步道改造工程。
- **国有资产出租收入{in03}元**：街道所属青石路沿街门面房8间的10月租金，按租赁合同收取。

## 支出说明

- **工资福利支出{out01}元**：在编人员及编外聘用人员工资、社会保险缴费。
- **商品和服务支出{out02}元**：其中公务接待费{reception}元（接待上级检查3批次，均有公函和接待清单），公务用车运行维护费{car}元（2辆公务用车的燃油、保险和维修）。
- **对个人和家庭的补助{out03}元**：最低生活保障金{dibao}元（8户17人），临时救助金{relief}元（1户），80周岁以上老人高龄津贴{elderly}元（163人）。
- **项目支出{out04}元**：青石河滨河步道改造工程进度款{works}元（按合同支付至已完工程量的80%），以及背街小巷环境整治、垃圾分类运营服务费用。
- **资本性支出{out05}元**：便民服务中心自助服务终端2台、办公电脑6台，已按政府采购程序购置。

## 查询与监督

会计凭证和明细账可在工作日到财政所查阅。对本表有疑问，可拨打财政所电话 {phone}，或在大厅触摸屏上留言，我们将在5个工作日内答复。
`,
		"in", yuanText(in.Amount), "out", yuanText(out.Amount), "balance", yuanText(bal.Amount),
		"in01", yuanText(line(f, "in-01").Amount), "in02", yuanText(line(f, "in-02").Amount), "in03", yuanText(line(f, "in-03").Amount),
		"out01", yuanText(line(f, "out-01").Amount), "out02", yuanText(line(f, "out-02").Amount),
		"reception", yuanText(line(f, "out-0207").Amount), "car", yuanText(line(f, "out-0206").Amount),
		"out03", yuanText(line(f, "out-03").Amount), "dibao", yuanText(line(f, "out-0301").Amount),
		"relief", yuanText(line(f, "out-0302").Amount), "elderly", yuanText(line(f, "out-0303").Amount),
		"out04", yuanText(line(f, "out-04").Amount), "works", yuanText(line(f, "out-0401").Amount),
		"out05", yuanText(line(f, "out-05").Amount), "phone", phoneFinance)
	return &hall.Item{
		Category:   catFinance,
		Department: deptFinance,
		Cadence:    hall.CadenceMonthly,
		Title:      "2026年10月财务收支公开",
		Summary: "10月街道收入" + yuanText(in.Amount) + "元、支出" + yuanText(out.Amount) +
			"元，列示工资福利、公用经费、民生补助和项目支出明细，含公务接待和公务用车费用。",
		Body:    body,
		Finance: f,
	}
}
