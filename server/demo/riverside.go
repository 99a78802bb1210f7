package demo

import (
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// The riverside walkway renovation: one matter disclosed before (to
// consult), during (to take part) and after (to check).
const riversideTitle = "青石河滨河步道改造工程"

// riversideCost is one line of the project's cost: the approved estimate
// (概算) and the audited final settlement (结算), in yuan.
type riversideCost struct {
	code, name, parent string
	estimate, settled  int64
}

func riversideCosts() []riversideCost {
	return []riversideCost{
		{"total", "工程总投资", "", 3_286_000, 3_073_560},
		{"a", "工程费用", "total", 2_870_000, 2_829_960},
		{"a1", "步道铺装及基层（透水混凝土、花岗岩，1.8公里）", "a", 1_268_000, 1_241_560},
		{"a2", "护岸加固及排水", "a", 642_000, 655_300},
		{"a3", "照明及电气", "a", 356_000, 348_920},
		{"a4", "绿化及景观", "a", 418_000, 402_750},
		{"a5", "无障碍坡道、休憩座椅及标识", "a", 186_000, 181_430},
		{"b", "工程建设其他费用", "total", 246_000, 243_600},
		{"b1", "勘察设计费", "b", 138_000, 138_000},
		{"b2", "工程监理费", "b", 72_000, 72_000},
		{"b3", "造价咨询及结算审计费", "b", 36_000, 33_600},
		{"c", "预备费", "total", 170_000, 0},
	}
}

// riversideEstimate is the approved estimate as a finance table.
func riversideEstimate() *hall.Finance {
	f := &hall.Finance{Currency: "CNY", Unit: "yuan"}
	for _, c := range riversideCosts() {
		f.Lines = append(f.Lines, hall.FinanceLine{Code: c.code, Name: c.name, Parent: c.parent, Amount: yuan(c.estimate)})
	}
	return f
}

// riversideSettlement is the final settlement against the estimate.
func riversideSettlement() *hall.Finance {
	f := &hall.Finance{Currency: "CNY", Unit: "yuan"}
	for _, c := range riversideCosts() {
		f.Lines = append(f.Lines, hall.FinanceLine{Code: c.code, Name: c.name, Parent: c.parent,
			Amount: yuan(c.settled), Budget: budget(yuan(c.estimate))})
	}
	return f
}

func riversideBefore(matterID string) *hall.Item {
	f := riversideEstimate()
	var rows strings.Builder
	for _, c := range children(f, "total") {
		rows.WriteString("| " + c.Name + " | " + yuanText(c.Amount) + " |\n")
	}
	body := fill(`## 为什么要改造

青石河滨河步道（青石桥至东岭桥段，长约1.8公里）建成于2009年，现状路面破损、积水严重，部分护岸松动，夜间照明不足，且没有无障碍通道。2025年居民议事会和“请你来提”活动中，共收到相关意见47条，是居民反映最集中的问题之一。

## 打算怎么做

- 更换步道铺装为透水混凝土和花岗岩，解决雨天积水；
- 加固松动护岸约420米，疏通排水口；
- 新装节能路灯60盏，设置无障碍坡道4处、休憩座椅20组和导向标识；
- 补种乡土树种，保留现有大树。

计划于2026年5月开工，工期180日历天。施工期间分段围挡，保证居民通行。

## 投资概算

项目总投资概算 **{total}元**，资金来源为区级城乡社区公共设施专项补助和街道自有财力。

| 费用项目 | 概算金额（元） |
|:--|--:|
{rows}
## 如何提出意见

征求意见时间：**2026年3月16日至3月30日**。

- 在本大厅触摸屏上对本公示评价或留言；
- 到城建办（街道办事处三楼）填写意见表；
- 拨打城建办电话 {phone}；
- 参加居民听证会：**2026年3月26日（星期四）14:30**，地点为青石社区党群服务中心二楼会议室，欢迎沿河居民代表报名参加。

征求意见结束后，我们将在10个工作日内公布意见采纳情况。
`, "total", yuanText(line(f, "total").Amount), "rows", rows.String(), "phone", phoneConstruction)
	return &hall.Item{
		Category:   catConstruction,
		Department: deptConstruction,
		MatterID:   matterID,
		Stage:      hall.StageBefore,
		Cadence:    hall.CadenceOnce,
		Title:      "青石河滨河步道改造工程项目公示及征求意见",
		Summary:    "拟改造青石桥至东岭桥段1.8公里滨河步道，总投资概算" + yuanText(line(f, "total").Amount) + "元。3月30日前征求居民意见，3月26日举行听证会。",
		Body:       body,
		Finance:    f,
	}
}

func riversideDuring(matterID string) *hall.Item {
	body := fill(`## 工程概况

- **建设单位**：青石街道办事处（城建办）
- **施工单位**：青禾市政园林工程有限公司，项目经理何建伟
- **监理单位**：衡正建设监理有限公司，总监理工程师蒋丽
- **中标价**：2,798,600.00元（公开招标，2026年4月28日定标）
- **开工日期**：2026年5月8日；**计划竣工**：2026年11月3日

## 施工进展（截至2026年9月30日）

| 分项工程 | 完成情况 |
|:--|--:|
| 护岸加固及排水 | 100% |
| 步道基层 | 85% |
| 步道面层铺装 | 60% |
| 照明管线预埋 | 70% |
| 绿化及景观 | 30% |
| **总体进度** | **72%** |

根据听证会意见，已增设亲水平台2处，并将座椅由20组增至24组，所需费用在预备费内调剂。

## 安全与文明施工

- 施工区域全封闭围挡，夜间设置警示灯；
- 每日22:00至次日6:00不进行产生噪声的作业；
- 开工以来未发生安全事故。

## 交通与出行

- 河滨路（青石桥至东岭桥段）非机动车道临时封闭，请经青石路绕行；
- 沿河设置1.5米宽临时便道，方便居民散步和出行；
- 东岭桥下通道10月10日至10月20日封闭施工，请提前安排出行。

## 参与监督

工程聘请3名沿河居民担任义务监督员，每月第一个星期六为工地开放日。发现质量、安全问题或受到施工影响，请拨打城建办电话 {phone}，或在本大厅触摸屏上留言。
`, "phone", phoneConstruction)
	return &hall.Item{
		Category:   catConstruction,
		Department: deptConstruction,
		MatterID:   matterID,
		Stage:      hall.StageDuring,
		Cadence:    hall.CadenceOnce,
		Title:      "青石河滨河步道改造工程施工进展",
		Summary:    "工程总体进度72%，护岸加固已完成，步道铺装和照明安装正在进行；施工期间河滨路非机动车道临时封闭，请绕行青石路。",
		Body:       body,
	}
}

func riversideAfter(matterID string) *hall.Item {
	f := riversideSettlement()
	total := line(f, "total")
	saved := *total.Budget - total.Amount
	var rows strings.Builder
	for _, c := range children(f, "total") {
		rows.WriteString("| " + c.Name + " | " + yuanText(*c.Budget) + " | " + yuanText(c.Amount) + " |\n")
	}
	body := fill(`## 竣工验收

2026年11月6日，街道组织建设、设计、施工、监理单位和沿河居民代表5人进行竣工验收，工程质量验收合格。实际完成：

- 步道铺装1.8公里，护岸加固420米，疏通排水口36处；
- 新装节能路灯60盏，无障碍坡道4处，亲水平台2处，休憩座椅24组；
- 补种乡土乔木85株、灌木和地被3,200平方米。

工程保修期2年，由施工单位负责维修。

## 结算情况

工程结算经第三方造价咨询机构审核，审定结算金额 **{settled}元**，比概算 **{estimate}元** 节约 **{saved}元**，节约资金按规定退回区财政。

| 费用项目 | 概算（元） | 结算（元） |
|:--|--:|--:|
{rows}
护岸加固及排水结算比概算增加，是因为施工中发现约60米护岸基础被掏空，经设计变更后加深了基础。预备费未单独列支，变更费用已计入相应分项。

## 欢迎检查

完整的验收报告和结算审核报告可在工作日到城建办查阅。对工程质量或结算有疑问，请拨打 {phone}，或在本大厅触摸屏上评价和留言，我们将在5个工作日内答复。
`, "settled", yuanText(total.Amount), "estimate", yuanText(*total.Budget), "saved", yuanText(saved),
		"rows", rows.String(), "phone", phoneConstruction)
	return &hall.Item{
		Category:   catConstruction,
		Department: deptConstruction,
		MatterID:   matterID,
		Stage:      hall.StageAfter,
		Cadence:    hall.CadenceOnce,
		Title:      "青石河滨河步道改造工程竣工验收与结算公示",
		Summary:    "工程于11月6日通过竣工验收，审定结算" + yuanText(total.Amount) + "元，比概算节约" + yuanText(saved) + "元。结算明细与概算逐项对照公开。",
		Body:       body,
		Finance:    f,
	}
}
