package disclosure

import (
	"context"
	"fmt"
	"io"

	"github.com/hallcast/hallcast/server/financefile"
	"github.com/hallcast/hallcast/server/hall"
)

// ParseFinance reads a finance table from a spreadsheet a clerk uploads
// (.xlsx or .csv) and saves nothing: the clerk checks the table and saves
// the draft with it. A file that cannot be used is a validation error whose
// details list the problems by row.
func (s *Service) ParseFinance(ctx context.Context, actor *hall.User, r io.Reader, name string) (*financefile.Result, error) {
	if !actor.Has(hall.RoleEditor) {
		return nil, hall.Errorf(hall.EForbidden, "only editors import finance tables")
	}
	res, err := financefile.Parse(r, name)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		p := res.Problems[0]
		msg := p.Message
		if p.Row > 0 {
			msg = fmt.Sprintf("row %d: %s", p.Row, p.Message)
		}
		return nil, &hall.Error{Code: hall.EValidation, Field: "file", Details: map[string]any{"problems": res.Problems},
			Reason: "finance_file_problems", Args: []string{fmt.Sprint(len(res.Problems))},
			Message: fmt.Sprintf("%d problem(s) in the file, nothing imported; first: %s", len(res.Problems), msg)}
	}
	return res, nil
}

// FinanceWorkbook writes an item's finance table (its working copy) as an
// .xlsx workbook, for the actor to edit and import again.
func (s *Service) FinanceWorkbook(ctx context.Context, actor *hall.User, id string, w io.Writer) error {
	it, err := s.readable(ctx, actor, id)
	if err != nil {
		return err
	}
	if it.Finance == nil {
		return hall.Errorf(hall.ENotFound, "item %s has no finance table", id)
	}
	return financefile.Write(w, it.Title, it.Finance)
}
