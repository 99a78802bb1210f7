package privacy

import (
	"fmt"
	"strings"
	"testing"
)

// checkChar computes the GB 11643 (ISO 7064 MOD 11-2) check character the
// long way: sum of digit × 2^(17-i) mod 11, then (12 - sum) mod 11.
func checkChar(first17 string) byte {
	sum := 0
	for i := range 17 {
		w := (1 << (17 - i)) % 11
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X'
	}
	return byte('0' + v)
}

// makeID builds a valid 18-character ID number from a 6-digit region code, a
// YYYYMMDD birth date and a 3-digit sequence number.
func makeID(tb testing.TB, region, birth, seq string) string {
	tb.Helper()
	first := region + birth + seq
	if len(first) != 17 {
		tb.Fatalf("makeID: %q is not 17 digits", first)
	}
	return first + string(checkChar(first))
}

// luhnSum is the Luhn checksum of d, written independently of the package.
func luhnSum(d string) int {
	sum := 0
	for i := range len(d) {
		v := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			v = v*2/10 + v*2%10
		}
		sum += v
	}
	return sum % 10
}

// makeCard appends the Luhn check digit to prefix.
func makeCard(prefix string) string {
	for c := '0'; c <= '9'; c++ {
		if luhnSum(prefix+string(c)) == 0 {
			return prefix + string(c)
		}
	}
	panic("unreachable")
}

// idWithCheck returns a valid ID for region and birth whose check character
// satisfies want.
func idWithCheck(tb testing.TB, region, birth string, want func(id string) bool) string {
	tb.Helper()
	for seq := range 1000 {
		id := makeID(tb, region, birth, fmt.Sprintf("%03d", seq))
		if want(id) {
			return id
		}
	}
	tb.Fatalf("no ID found for %s %s", region, birth)
	return ""
}

func group(s string, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, sep)
}

type want struct {
	kind, text string
}

func assertFindings(t *testing.T, s string, wants []want) {
	t.Helper()
	got := Scan(s)
	if len(got) != len(wants) {
		t.Fatalf("Scan(%q) = %+v, want %d findings %+v", s, got, len(wants), wants)
	}
	from := 0
	for i, w := range wants {
		f := got[i]
		start := strings.Index(s[from:], w.text) + from
		if f.Kind != w.kind || f.Text != w.text || f.Start != start || f.End != start+len(w.text) {
			t.Errorf("finding %d = {%s %q %d:%d}, want {%s %q %d:%d}", i, f.Kind, f.Text, f.Start, f.End, w.kind, w.text, start, start+len(w.text))
		}
		if s[f.Start:f.End] != f.Text {
			t.Errorf("finding %d: s[%d:%d] = %q, Text = %q", i, f.Start, f.End, s[f.Start:f.End], f.Text)
		}
		if f.Masked != Mask(f.Kind, f.Text) {
			t.Errorf("finding %d: Masked = %q, want Mask() = %q", i, f.Masked, Mask(f.Kind, f.Text))
		}
		from = f.End
	}
}

func TestScanPositives(t *testing.T) {
	id := makeID(t, "110105", "19900307", "123")
	idX := idWithCheck(t, "440305", "20000229", func(id string) bool { return id[17] == 'X' })
	idx := idX[:17] + "x"
	card16 := makeCard("622202123456789")
	card19 := makeCard("622848001234567890")
	tests := []struct {
		name  string
		s     string
		wants []want
	}{
		{"ChineseSentence", "张三，身份证号" + id + "，电话13812345678", []want{{KindIDCard, id}, {KindMobile, "13812345678"}}},
		{"IDAlone", id, []want{{KindIDCard, id}}},
		{"IDCheckX", "证件:" + idX + "。", []want{{KindIDCard, idX}}},
		{"IDCheckLowerX", "证件" + idx + "号", []want{{KindIDCard, idx}}},
		{"IDGroupedSpaces", "身份证 " + group(id, " ", 6, 8) + " 已核验", []want{{KindIDCard, group(id, " ", 6, 8)}}},
		{"IDGroupedHyphensX", group(idX, "-", 6, 8), []want{{KindIDCard, group(idX, "-", 6, 8)}}},
		{"IDAfterLetters", "ID" + id, []want{{KindIDCard, id}}},
		{"Mobile", "手机13912345678", []want{{KindMobile, "13912345678"}}},
		{"MobilePlus86", "联系+8613812345678", []want{{KindMobile, "+8613812345678"}}},
		{"Mobile86", "联系8613812345678", []want{{KindMobile, "8613812345678"}}},
		{"Mobile0086", "联系008615912345678", []want{{KindMobile, "008615912345678"}}},
		{"MobilePlus86Grouped", "电话：+86 138 1234 5678。", []want{{KindMobile, "+86 138 1234 5678"}}},
		{"MobilePlus86Hyphen", "+86-13812345678", []want{{KindMobile, "+86-13812345678"}}},
		{"MobilePlus86MixedSeparators", "+86 138-1234-5678", []want{{KindMobile, "+86 138-1234-5678"}}},
		{"MobileHyphens", "电话138-1234-5678", []want{{KindMobile, "138-1234-5678"}}},
		{"MobileSpaces", "电话 199 1234 5678 转", []want{{KindMobile, "199 1234 5678"}}},
		{"MobileEndOfSentence", "请拨打17712345678.", []want{{KindMobile, "17712345678"}}},
		{"TwoMobiles", "13812345678 13912345678", []want{{KindMobile, "13812345678"}, {KindMobile, "13912345678"}}},
		{"Card16", "卡号" + card16 + "，户名", []want{{KindBankCard, card16}}},
		{"Card19", "卡号：" + card19, []want{{KindBankCard, card19}}},
		{"Card16Spaces", "卡号 " + group(card16, " ", 4, 4, 4) + " 开户行", []want{{KindBankCard, group(card16, " ", 4, 4, 4)}}},
		{"Card19Hyphens", group(card19, "-", 4, 4, 4, 4), []want{{KindBankCard, group(card19, "-", 4, 4, 4, 4)}}},
		{"Mixed", "户主" + id + "，卡" + group(card16, " ", 4, 4, 4) + "，手机138-1234-5678。", []want{
			{KindIDCard, id}, {KindBankCard, group(card16, " ", 4, 4, 4)}, {KindMobile, "138-1234-5678"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFindings(t, tt.s, tt.wants)
		})
	}
}

func TestScanValidIDIsNotBankCard(t *testing.T) {
	id := idWithCheck(t, "320102", "19851111", func(id string) bool { return luhnSum(id) == 0 })
	assertFindings(t, "身份证"+id, []want{{KindIDCard, id}})
}

func TestScanNegatives(t *testing.T) {
	id := makeID(t, "110105", "19900307", "123")
	// A wrong check digit that also fails Luhn, so the number is neither.
	var wrongCheck string
	for c := byte('0'); c <= '9'; c++ {
		if cand := id[:17] + string(c); c != id[17] && luhnSum(cand) != 0 {
			wrongCheck = cand
			break
		}
	}
	badDate := func(birth string) string {
		id := idWithCheck(t, "110105", birth, func(id string) bool { return id[17] != 'X' && luhnSum(id) != 0 })
		return id
	}
	card := makeCard("622202123456789")
	badCard := card[:15] + string('0'+(card[15]-'0'+1)%10)
	amount := "1234567890123456"
	if luhnSum(amount) == 0 {
		t.Fatalf("precondition: %s passes Luhn", amount)
	}
	idX := idWithCheck(t, "440305", "20000229", func(id string) bool { return id[17] == 'X' })
	tests := []struct {
		name string
		s    string
	}{
		{"WrongCheckDigit", "身份证号" + wrongCheck},
		{"BadMonth", "编号" + badDate("19901307")},
		{"BadDay", badDate("19900230")},
		{"YearTooEarly", badDate("18991231")},
		{"XFollowedByLetter", idX + "A"},
		{"IDInLongerRun", "9" + id},
		{"IDGroupedExtended", group(id, " ", 6, 8, 4) + "9"},
		{"LegacyID15", "110105900307123"},
		{"AmountFailsLuhn", "金额" + amount + "元"},
		{"CardFailsLuhn", badCard},
		{"GroupedCardFailsLuhn", group(badCard, " ", 4, 4, 4)},
		{"TwentyDigits", group(makeCard("6222021234567890123"), " ", 4, 4, 4, 4)},
		{"CardGroupedWrongSizes", group(card, " ", 3, 4, 4, 4)},
		{"MobileBadPrefix", "12812345678"},
		{"MobileTooShort", "1381234567"},
		{"MobileTooLong", "138123456789"},
		{"MobileInLongerRun", "9913812345678"},
		{"MobileInReference25", "参考号1381234567812345678901234"},
		{"MobileGroupedExtended", "138 1234 5678 9"},
		{"MobileGroupedPrefixed", "1 138 1234 5678"},
		{"MobileGroupedWrongSizes", "1381-234-5678"},
		{"MobileDecimal", "金额13812345678.50元"},
		{"MobileAfterDecimalPoint", "比例0.13812345678"},
		{"Landline", "010-12345678"},
		{"Dates", "2024-01-02 13:45:00，20240102，2026年3月1日"},
		{"MaskedID", "110105********1234"},
		{"MaskedMobile", "138****5678，+86 138 **** 5678"},
		{"MaskedCard", "6222 **** **** 7890，6222********7890"},
		{"FullWidthSeparatorsNotJoined", "138　1234　5678"},
		{"Empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Scan(tt.s); len(got) != 0 {
				t.Errorf("Scan(%q) = %+v, want no findings", tt.s, got)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		kind, text, want string
	}{
		{KindIDCard, "110105199003071234", "110105********1234"},
		{KindIDCard, "44030520000229123X", "440305********123X"},
		{KindIDCard, "110105 19900307 1234", "110105 ******** 1234"},
		{KindMobile, "13812345678", "138****5678"},
		{KindMobile, "+8613812345678", "+86138****5678"},
		{KindMobile, "+86 138 1234 5678", "+86 138 **** 5678"},
		{KindMobile, "138-1234-5678", "138-****-5678"},
		{KindMobile, "008613812345678", "0086138****5678"},
		{KindBankCard, "6222021234567890", "6222********7890"},
		{KindBankCard, "6222 0212 3456 7890", "6222 **** **** 7890"},
		{KindBankCard, "6228-4800-1234-5678-901", "6228-****-****-***8-901"},
		{KindBankCard, "6228480012345678901", "6228***********8901"},
		{"unknown", "12-34", "**-**"},
		{KindIDCard, "12345", "*****"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"_"+tt.text, func(t *testing.T) {
			if got := Mask(tt.kind, tt.text); got != tt.want {
				t.Errorf("Mask(%q, %q) = %q, want %q", tt.kind, tt.text, got, tt.want)
			}
		})
	}
}

func TestMaskAll(t *testing.T) {
	id := makeID(t, "110105", "19900307", "123")
	card := makeCard("622202123456789")
	s := "张三，身份证号" + id + "，电话+86 138-1234-5678，卡号" + group(card, " ", 4, 4, 4) + "，金额1234567890123456元。"
	want := "张三，身份证号110105********" + id[14:] + "，电话+86 138-****-5678，卡号6222 **** **** " + card[12:] + "，金额1234567890123456元。"
	if got := MaskAll(s); got != want {
		t.Errorf("MaskAll() =\n%q\nwant\n%q", got, want)
	}
	if got := Scan(MaskAll(s)); len(got) != 0 {
		t.Errorf("Scan(MaskAll()) = %+v, want none", got)
	}
	plain := "无个人信息的文本 2026-01-01"
	if got := MaskAll(plain); got != plain {
		t.Errorf("MaskAll(%q) = %q, want unchanged", plain, got)
	}
}

func TestCheckDigitsAgree(t *testing.T) {
	// The package's check digit and the test's independent one must agree.
	for _, first := range []string{"11010519900307123", "44030520000229000", "32010219851111999"} {
		if got, want := idCheckDigit(first), checkChar(first); got != want {
			t.Errorf("idCheckDigit(%s) = %c, want %c", first, got, want)
		}
	}
	// A well-known published test number.
	if !luhn("4111111111111111") || luhn("4111111111111112") {
		t.Errorf("luhn disagrees with the 4111... test card")
	}
}
