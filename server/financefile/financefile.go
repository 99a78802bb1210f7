// Package financefile reads the finance tables clerks already keep — an
// .xlsx workbook or a .csv file, UTF-8 or GBK as Chinese Excel saves it —
// into a hall.Finance, and writes a finance table back to .xlsx. Nothing is
// guessed silently: a row that cannot be read is a Problem naming its row
// number as the spreadsheet shows it, and a table with any problem is not
// used.
//
// # Columns
//
// The header row is the first of the first MaxHeaderRows rows that names a
// name column and an amount column. Column names, in Chinese or English
// (spaces and case ignored, a unit in brackets allowed):
//
//	code    编码 科目编码 项目编码 代码 code
//	name    名称 科目名称 项目名称 项目 科目 name item
//	parent  上级 上级编码 父级 parent
//	amount  金额 实际 实际数 执行数 本期金额 决算数 本期 amount actual
//	budget  预算 预算数 年初预算 budget
//
// Amounts are in 元 unless the header or a line above it says 万元
// ("金额（万元）", "单位：万元"); thousands separators, full-width digits
// and accounting brackets for negatives are accepted; more decimals than a
// fen (分) is a problem. A parent's empty amount is the sum of its
// children.
//
// # Hierarchy
//
// From the parent column (a parent's code, or its name when it has none),
// else from the codes: a code's parent is the longest other code it starts
// with, followed by a separator (".", "-", "_") or, for codes of digits
// only, at least two more digits (301 → 30101 → 3010101). Rows without a
// code get one ("r" and the row number).
package financefile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/hallcast/hallcast/server/hall"
)

// Limits on what is read.
const (
	MaxBytes      = 5 << 20 // one uploaded file
	MaxRows       = hall.MaxFinanceLines + 50
	MaxHeaderRows = 20
	maxUnzipped   = 64 << 20
)

// Problem is one thing wrong with the file: Row is the row number as the
// spreadsheet shows it (1 for the first), 0 for the file as a whole.
type Problem struct {
	Row     int    `json:"row"`
	Message string `json:"message"`
	// Reason and Args word the problem as an API error does
	// (docs/PROTOCOL.md, "Reasons"); Unit is the unit of the file's
	// amounts ("yuan" or "wan") for a problem whose args are amounts in fen.
	Reason string   `json:"reason"`
	Args   []string `json:"args,omitempty"`
	Unit   string   `json:"unit,omitempty"`
}

// newProblem is a problem on row (0: the whole file) with a message, its
// reason derived from the format as hall.Errorf derives it.
func newProblem(row int, format string, args ...any) Problem {
	e := hall.Errorf(hall.EValidation, format, args...)
	return Problem{Row: row, Message: e.Message, Reason: e.ReasonCode(), Args: e.Args}
}

// Result is a parsed table and what is wrong with it.
type Result struct {
	Finance  *hall.Finance `json:"finance,omitempty"`
	Problems []Problem     `json:"problems"`
	// Rows maps each line of Finance to its row in the file.
	Rows []int `json:"rows,omitempty"`
}

// OK reports whether the table can be used.
func (r *Result) OK() bool { return r.Finance != nil && len(r.Problems) == 0 }

// Parse reads a finance table from a file named name (.xlsx or .csv).
func Parse(r io.Reader, name string) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, hall.Errorf(hall.ETooLarge, "the file exceeds %d MiB", MaxBytes>>20)
	}
	var (
		rows   [][]string
		merged []string
	)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		rows, merged, err = readXLSX(data)
	case ".csv", ".txt":
		rows, err = readCSV(data)
	default:
		return nil, hall.FieldError("file", "want an .xlsx workbook or a .csv file, not %q", filepath.Ext(name))
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Problems: []Problem{}}
	for _, m := range merged {
		res.Problems = append(res.Problems, newProblem(0, "merged cells %s: unmerge them so each row has its own values", m))
	}
	parseRows(rows, res)
	return res, nil
}

// readXLSX returns the rows of the first sheet and its merged ranges.
func readXLSX(data []byte) ([][]string, []string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped / 4})
	if err != nil {
		return nil, nil, hall.FieldError("file", "not a readable .xlsx workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, hall.FieldError("file", "the workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, hall.FieldError("file", "cannot read sheet %q: %v", sheets[0], err)
	}
	if len(rows) > MaxRows+MaxHeaderRows {
		return nil, nil, hall.FieldError("file", "at most %d rows", MaxRows)
	}
	cells, err := f.GetMergeCells(sheets[0])
	if err != nil {
		return nil, nil, hall.FieldError("file", "cannot read sheet %q: %v", sheets[0], err)
	}
	var merged []string
	for _, m := range cells {
		// A merged title above the table is harmless; one inside it is not.
		_, endRow, err := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err == nil && endRow > headerRowGuess(rows) {
			merged = append(merged, m.GetStartAxis()+":"+m.GetEndAxis())
		}
	}
	return rows, merged, nil
}

// headerRowGuess is the 1-based row of the header, or MaxHeaderRows.
func headerRowGuess(rows [][]string) int {
	for i := 0; i < len(rows) && i < MaxHeaderRows; i++ {
		if _, ok := columnsOf(rows[i]); ok {
			return i + 1
		}
	}
	return MaxHeaderRows
}

// readCSV decodes a CSV file in UTF-8 (with or without a byte order mark)
// or GBK (GB18030), as Excel saves it in Chinese Windows.
func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if err != nil {
			return nil, hall.FieldError("file", "the CSV file is neither UTF-8 nor GBK")
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, hall.FieldError("file", "not a readable CSV file: %v", err)
		}
		rows = append(rows, rec)
		if len(rows) > MaxRows+MaxHeaderRows {
			return nil, hall.FieldError("file", "at most %d rows", MaxRows)
		}
	}
	return rows, nil
}

// columns are the indexes of the columns found in the header (-1: none)
// and the unit the header names.
type columns struct {
	code, name, parent, amount, budget int
	wan                                bool
}

var synonyms = map[string][]string{
	"code":   {"编码", "科目编码", "项目编码", "代码", "code"},
	"name":   {"名称", "科目名称", "项目名称", "项目", "科目", "name", "item"},
	"parent": {"上级", "上级编码", "父级", "上级科目", "parent"},
	"amount": {"金额", "实际", "实际数", "执行数", "本期金额", "决算数", "本期", "amount", "actual"},
	"budget": {"预算", "预算数", "年初预算", "budget"},
}

// headerKey normalises a header cell: NFKC, no spaces, lower case, the unit
// in brackets taken off (and reported).
func headerKey(s string) (key string, wan bool) {
	s = strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	s = strings.Join(strings.Fields(s), "")
	if i := strings.IndexAny(s, "(（"); i >= 0 {
		wan = strings.Contains(s[i:], "万元")
		s = s[:i]
	}
	return s, wan
}

// columnsOf reads a header row; ok when it names a name and an amount.
func columnsOf(row []string) (columns, bool) {
	c := columns{code: -1, name: -1, parent: -1, amount: -1, budget: -1}
	for i, cell := range row {
		key, wan := headerKey(cell)
		for field, names := range synonyms {
			for _, n := range names {
				if key != n {
					continue
				}
				switch field {
				case "code":
					c.code = first(c.code, i)
				case "name":
					c.name = first(c.name, i)
				case "parent":
					c.parent = first(c.parent, i)
				case "amount":
					c.amount = first(c.amount, i)
					c.wan = c.wan || wan
				case "budget":
					c.budget = first(c.budget, i)
					c.wan = c.wan || wan
				}
			}
		}
	}
	return c, c.name >= 0 && c.amount >= 0
}

func first(have, i int) int {
	if have >= 0 {
		return have
	}
	return i
}

// line is one data row being read.
type line struct {
	row            int
	code, name     string
	parent         string
	amount, budget *int64
	generatedCode  bool
}

// cell returns a cell as typed, trimmed.
func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

func parseRows(rows [][]string, res *Result) {
	header := -1
	var cols columns
	wanAbove := false
	for i := 0; i < len(rows) && i < MaxHeaderRows; i++ {
		if c, ok := columnsOf(rows[i]); ok {
			header, cols = i, c
			break
		}
		if strings.Contains(strings.Join(rows[i], " "), "万元") {
			wanAbove = true // "单位：万元" above the table
		}
	}
	if header < 0 {
		res.Problems = append(res.Problems, newProblem(0, "no header row: name a column 名称 (name) and one 金额 (amount) in the first rows"))
		return
	}
	wan := cols.wan || wanAbove
	var lines []*line
	for i := header + 1; i < len(rows); i++ {
		row, n := rows[i], i+1
		name := cell(row, cols.name)
		code := cell(row, cols.code)
		amount, budget := cell(row, cols.amount), cell(row, cols.budget)
		if name == "" && code == "" && amount == "" && budget == "" {
			continue // a blank row
		}
		if name == "" {
			res.Problems = append(res.Problems, newProblem(n, "the name is empty"))
			continue
		}
		// Codes are identifiers: full-width digits and letters count as
		// their ASCII forms. Names stay as the clerk wrote them.
		code = norm.NFKC.String(code)
		l := &line{row: n, code: code, name: name, parent: cell(row, cols.parent)}
		if l.code == "" {
			l.code, l.generatedCode = fmt.Sprintf("r%d", n), true
		}
		var err error
		if amount != "" {
			if l.amount, err = money(amount, wan); err != nil {
				res.Problems = append(res.Problems, newProblem(n, "amount %q: %v", amount, err))
				continue
			}
		}
		if budget != "" {
			if l.budget, err = money(budget, wan); err != nil {
				res.Problems = append(res.Problems, newProblem(n, "budget %q: %v", budget, err))
				continue
			}
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 && len(res.Problems) == 0 {
		res.Problems = append(res.Problems, newProblem(header+1, "no rows under the header"))
	}
	if len(lines) > hall.MaxFinanceLines {
		res.Problems = append(res.Problems, newProblem(0, "at most %d lines", hall.MaxFinanceLines))
		return
	}
	if len(res.Problems) > 0 {
		return
	}
	link(lines, cols.parent >= 0, res)
	if len(res.Problems) > 0 {
		return
	}
	fillTotals(lines)
	f := &hall.Finance{Currency: "CNY", Unit: "yuan", Lines: make([]hall.FinanceLine, len(lines))}
	if wan {
		f.Unit = "wan"
	}
	rowOf := make([]int, len(lines))
	for i, l := range lines {
		fl := hall.FinanceLine{Code: l.code, Name: l.name, Parent: l.parent, Budget: l.budget}
		if l.amount != nil {
			fl.Amount = *l.amount
		}
		f.Lines[i], rowOf[i] = fl, l.row
	}
	if err := f.Validate(); err != nil {
		res.Problems = append(res.Problems, problemOf(err, rowOf, f.Unit))
		return
	}
	res.Finance, res.Rows = f, rowOf
}

// problemOf turns a validation error naming finance.lines[i] into a
// problem naming the row.
func problemOf(err error, rowOf []int, unit string) Problem {
	var he *hall.Error
	if errors.As(err, &he) {
		p := Problem{Message: he.Message, Reason: he.ReasonCode(), Args: he.Args, Unit: unit}
		var i int
		if _, scanErr := fmt.Sscanf(he.Field, "finance.lines[%d]", &i); scanErr == nil && i >= 0 && i < len(rowOf) {
			p.Row = rowOf[i]
		}
		return p
	}
	return Problem{Message: err.Error(), Reason: hall.EValidation}
}

// link sets each line's parent code: from the parent column (a code, or a
// name), or from the codes.
func link(lines []*line, hasParentColumn bool, res *Result) {
	byCode := map[string]*line{}
	byName := map[string][]*line{}
	for _, l := range lines {
		if other, dup := byCode[l.code]; dup {
			res.Problems = append(res.Problems, newProblem(l.row, "code %q is also on row %d", l.code, other.row))
			continue
		}
		byCode[l.code] = l
		byName[l.name] = append(byName[l.name], l)
	}
	if hasParentColumn {
		for _, l := range lines {
			if l.parent == "" {
				continue
			}
			if p, ok := byCode[l.parent]; ok && p != l {
				continue
			}
			switch named := byName[l.parent]; len(named) {
			case 1:
				l.parent = named[0].code
			case 0:
				res.Problems = append(res.Problems, newProblem(l.row, "parent %q is neither a code nor a name in the table", l.parent))
			default:
				res.Problems = append(res.Problems, newProblem(l.row, "parent %q names %d rows: give its code", l.parent, len(named)))
			}
		}
		return
	}
	for _, l := range lines {
		if l.generatedCode {
			continue
		}
		best := ""
		for _, p := range lines {
			if p == l || p.generatedCode || len(p.code) <= len(best) || !isParentCode(p.code, l.code) {
				continue
			}
			best = p.code
		}
		l.parent = best
	}
}

// isParentCode reports whether code p stands for a parent of code c.
func isParentCode(p, c string) bool {
	rest, ok := strings.CutPrefix(c, p)
	if !ok || rest == "" {
		return false
	}
	if strings.ContainsRune(".-_", rune(rest[0])) {
		return true
	}
	return allDigits(p) && allDigits(rest) && len(rest) >= 2
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// fillTotals gives a parent without an amount the sum of its children's
// (deepest first, so nested totals add up).
func fillTotals(lines []*line) {
	children := map[string][]*line{}
	for _, l := range lines {
		if l.parent != "" {
			children[l.parent] = append(children[l.parent], l)
		}
	}
	var fill func(l *line, depth int) int64
	fill = func(l *line, depth int) int64 {
		if l.amount != nil || depth > len(lines) {
			if l.amount == nil {
				return 0
			}
			return *l.amount
		}
		kids := children[l.code]
		var sum int64
		for _, k := range kids {
			sum += fill(k, depth+1)
		}
		if len(kids) > 0 {
			l.amount = &sum
		}
		return sum
	}
	for _, l := range lines {
		fill(l, 0)
	}
}

// money reads an amount in 元 (or 万元) as integer fen.
func money(s string, wan bool) (*int64, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ',' || unicode.IsSpace(r) || r == '¥':
			return -1
		}
		return r
	}, norm.NFKC.String(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "万元"), "元")
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, s[1:len(s)-1]
	}
	if s == "-" || s == "" {
		zero := int64(0)
		return &zero, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/eE") {
		return nil, errors.New("not a number")
	}
	scale := int64(100)
	if wan {
		scale = 1_000_000
	}
	r.Mul(r, new(big.Rat).SetInt64(scale))
	if !r.IsInt() {
		return nil, errors.New("more decimals than a fen (分)")
	}
	n := r.Num()
	if !n.IsInt64() || n.Int64() > hall.MaxAmount || n.Int64() < -hall.MaxAmount {
		return nil, errors.New("out of range")
	}
	v := n.Int64()
	if neg {
		v = -v
	}
	return &v, nil
}
