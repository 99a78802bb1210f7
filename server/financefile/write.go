package financefile

import (
	"fmt"
	"io"
	"math/big"

	"github.com/xuri/excelize/v2"

	"github.com/hallcast/hallcast/server/hall"
)

// Write writes a finance table as an .xlsx workbook that Parse reads back
// into the same lines: a title, the unit, and the columns 编码, 名称,
// 上级编码, 金额 and (when any line has one) 预算, amounts in the table's
// display unit.
func Write(w io.Writer, title string, f *hall.Finance) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "明细"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	unit, scale := "元", int64(100)
	if f.Unit == "wan" {
		unit, scale = "万元", 1_000_000
	}
	hasBudget := false
	for _, l := range f.Lines {
		hasBudget = hasBudget || l.Budget != nil
	}
	header := []any{"编码", "名称", "上级编码", "金额（" + unit + "）"}
	if hasBudget {
		header = append(header, "预算（"+unit+"）")
	}
	rows := [][]any{{title}, {"单位：" + unit}, header}
	for _, l := range f.Lines {
		row := []any{l.Code, l.Name, l.Parent, amount(l.Amount, scale)}
		if hasBudget {
			if l.Budget != nil {
				row = append(row, amount(*l.Budget, scale))
			} else {
				row = append(row, "")
			}
		}
		rows = append(rows, row)
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 3)
	if err := x.SetCellStyle(sheet, "A3", last, bold); err != nil {
		return err
	}
	if err := x.SetColWidth(sheet, "B", "B", 36); err != nil {
		return err
	}
	if err := x.SetColWidth(sheet, "D", "E", 16); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// amount is fen in the display unit, as a number. A spreadsheet keeps
// numbers as float64: up to 2⁵³ fen, the shortest decimal that float64
// prints is the exact amount again; beyond that it is written as text.
func amount(fen, scale int64) any {
	r := new(big.Rat).SetFrac64(fen, scale)
	if fen < 1<<53 && fen > -(1<<53) {
		v, _ := r.Float64()
		return v
	}
	digits := 2
	if scale > 100 {
		digits = 6
	}
	return r.FloatString(digits)
}

// Filename is a download name for an item's table.
func Filename(itemID string) string { return fmt.Sprintf("finance-%s.xlsx", itemID) }
