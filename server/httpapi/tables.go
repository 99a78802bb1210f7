package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"
)

// writeTable answers a report as a download: CSV (UTF-8 with a byte-order
// mark, so spreadsheet programs read Chinese right) or an .xlsx workbook of
// one sheet, numbers as numbers. name is the file name without extension.
func writeTable(c echo.Context, format, name string, header []string, rows [][]string) error {
	h := c.Response().Header()
	switch format {
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Response().WriteHeader(http.StatusOK)
		c.Response().Write([]byte("\ufeff"))
		w := csv.NewWriter(c.Response())
		w.Write(header)
		w.WriteAll(rows)
		return w.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sheet := f.GetSheetName(0)
		write := func(r int, rec []string) error {
			for i, v := range rec {
				cell, err := excelize.CoordinatesToCellName(i+1, r)
				if err != nil {
					return err
				}
				var val any = v
				if n, err := strconv.ParseFloat(v, 64); err == nil && r > 1 {
					val = n
				}
				if err := f.SetCellValue(sheet, cell, val); err != nil {
					return err
				}
			}
			return nil
		}
		if err := write(1, header); err != nil {
			return err
		}
		for i, rec := range rows {
			if err := write(i+2, rec); err != nil {
				return err
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			return err
		}
		h.Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	}
	return nil
}
