package demo

import (
	"strconv"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
)

// Kinds of assistance on the roster.
const (
	kindDibao  = "低保"
	kindRelief = "临时救助"
)

// recipient is one household on the quarter's roster. Names and ID numbers
// are masked as the disclosure rules require: surname and last character,
// region code and last four digits.
type recipient struct {
	name, idMasked string
	community      string // code, see communities
	persons        int
	kind           string
	amount         int64 // yuan paid in the quarter
	note           string
}

// community is one of the street's communities (社区) or villages (村).
type community struct{ code, name string }

// communities lists them in roster order.
func communities() []community {
	return []community{{"qs", "青石社区"}, {"hx", "河西社区"}, {"dl", "东岭村"}, {"bh", "滨河社区"}}
}

// communityName returns the name of the community with the code.
func communityName(code string) string {
	for _, c := range communities() {
		if c.code == code {
			return c.name
		}
	}
	return code
}

// roster is the third quarter of 2026: eight households on minimum living
// allowance (monthly top-up × 3) and three one-off relief payments.
func roster() []recipient {
	return []recipient{
		{"张*明", "330106********2318", "qs", 3, kindDibao, 3 * 2_860, "每月2,860元"},
		{"李*芳", "330106********0427", "qs", 1, kindDibao, 3 * 1_310, "每月1,310元"},
		{"王*强", "330106********1635", "hx", 2, kindDibao, 3 * 1_980, "每月1,980元"},
		{"陈*英", "330106********052X", "hx", 4, kindDibao, 3 * 3_450, "每月3,450元"},
		{"吴*军", "330106********3916", "hx", 3, kindRelief, 6_000, "因病支出型困难"},
		{"刘*华", "330106********2271", "dl", 2, kindDibao, 3 * 2_240, "每月2,240元"},
		{"赵*兰", "330106********0846", "dl", 1, kindDibao, 3 * 1_310, "每月1,310元"},
		{"孙*梅", "330106********1563", "dl", 4, kindRelief, 8_000, "7月台风致房屋受损"},
		{"周*平", "330106********4052", "bh", 3, kindDibao, 3 * 2_575, "每月2,575元"},
		{"徐*珍", "330106********6128", "bh", 1, kindDibao, 3 * 1_310, "每月1,310元"},
		{"郑*涛", "330106********2793", "bh", 2, kindRelief, 3_500, "意外事故"},
	}
}

// assistanceFinance totals the roster: by community, then by kind.
func assistanceFinance(rs []recipient) *hall.Finance {
	sums := map[string]int64{}
	for _, r := range rs {
		sums[r.community] += yuan(r.amount)
		sums[r.community+"-"+r.kind] += yuan(r.amount)
	}
	f := &hall.Finance{Currency: "CNY", Unit: "yuan"}
	var total int64
	for _, c := range communities() {
		total += sums[c.code]
	}
	f.Lines = append(f.Lines, hall.FinanceLine{Code: "total", Name: "第三季度发放合计", Amount: total})
	for _, c := range communities() {
		f.Lines = append(f.Lines, hall.FinanceLine{Code: c.code, Name: c.name, Parent: "total", Amount: sums[c.code]})
		for _, k := range []struct{ kind, code, name string }{{kindDibao, "dibao", "最低生活保障金"}, {kindRelief, "relief", "临时救助金"}} {
			if n, ok := sums[c.code+"-"+k.kind]; ok {
				f.Lines = append(f.Lines, hall.FinanceLine{Code: c.code + "-" + k.code, Name: k.name, Parent: c.code, Amount: n})
			}
		}
	}
	return f
}

func assistanceItem() *hall.Item {
	rs := roster()
	f := assistanceFinance(rs)
	var table strings.Builder
	var dibaoHouseholds, dibaoPersons, reliefHouseholds int
	var dibao, relief int64
	for i, r := range rs {
		table.WriteString("| " + strconv.Itoa(i+1) + " | " + r.name + " | " + r.idMasked + " | " + communityName(r.community) +
			" | " + strconv.Itoa(r.persons) + " | " + r.kind + " | " + yuanText(yuan(r.amount)) + " | " + r.note + " |\n")
		if r.kind == kindDibao {
			dibaoHouseholds++
			dibaoPersons += r.persons
			dibao += yuan(r.amount)
		} else {
			reliefHouseholds++
			relief += yuan(r.amount)
		}
	}
	total := line(f, "total").Amount
	body := fill(`## 发放概况

2026年第三季度（7—9月），街道共发放最低生活保障金 **{dibao}元**（{dibaoHouseholds}户{dibaoPersons}人），临时救助金 **{relief}元**（{reliefHouseholds}户），合计 **{total}元**，均已通过社会保障卡发放到户。

本街道城乡低保标准为每人每月1,310元，按家庭人均收入与标准的差额发放。

## 发放名单

| 序号 | 姓名 | 身份证号 | 社区（村） | 家庭人数 | 类别 | 发放金额（元） | 备注 |
|:--|:--|:--|:--|--:|:--|--:|:--|
{table}
按照个人信息保护的要求，姓名和身份证号已作部分隐藏。

## 审核程序

申请对象经户籍所在社区（村）入户调查、民主评议并公示7天无异议，由街道民政办审核、区民政局审批后发放。

## 监督举报

公示期为2026年11月27日至12月3日。对名单有异议，或发现有隐瞒收入、骗取救助等情况，请拨打街道民政办电话 {phone}，或街道纪工委电话 {discipline} 反映。我们对举报人信息严格保密。
`, "dibao", yuanText(dibao), "dibaoHouseholds", strconv.Itoa(dibaoHouseholds), "dibaoPersons", strconv.Itoa(dibaoPersons),
		"relief", yuanText(relief), "reliefHouseholds", strconv.Itoa(reliefHouseholds), "total", yuanText(total),
		"table", table.String(), "phone", phoneCivilAffairs, "discipline", phoneDiscipline)
	return &hall.Item{
		Category:   catAssistance,
		Department: deptCivilAffairs,
		Cadence:    hall.CadenceQuarterly,
		Title:      "2026年第三季度低保及临时救助发放名单",
		Summary:    "第三季度发放低保金和临时救助金共" + yuanText(total) + "元，涉及" + strconv.Itoa(len(rs)) + "户；名单按社区（村）公示，姓名和身份证号已部分隐藏，欢迎监督。",
		Body:       body,
		Finance:    f,
	}
}
