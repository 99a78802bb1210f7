package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/privacy"
)

// Bounds on reading a PDF's text, so that a small file that expands to a
// huge one cannot exhaust memory.
const (
	maxPDFPages = 2000
	maxPDFText  = 16 << 20
)

// errTooMuchText stops extraction past maxPDFText.
var errTooMuchText = errors.New("the PDF holds more text than can be checked")

// PDFText returns the text of a PDF (github.com/ledongthuc/pdf), normalised
// with NFKC, page after page. A PDF whose pages are images has no text: the
// privacy guard cannot read it, and says nothing.
func PDFText(r io.ReaderAt, size int64) (text string, err error) {
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("malformed PDF: %v", p)
		}
	}()
	doc, err := pdf.NewReader(r, size)
	if err != nil {
		return "", err
	}
	n := doc.NumPage()
	if n > maxPDFPages {
		return "", fmt.Errorf("the PDF has %d pages; at most %d can be checked", n, maxPDFPages)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		page := doc.Page(i)
		if page.V.IsNull() {
			continue
		}
		t, err := page.GetPlainText(nil)
		if err != nil {
			return "", fmt.Errorf("page %d: %w", i, err)
		}
		b.WriteString(t)
		b.WriteByte('\n')
		if b.Len() > maxPDFText {
			return "", errTooMuchText
		}
	}
	return norm.NFKC.String(b.String()), nil
}

// Finding is one piece of personal data in an attachment.
type Finding struct {
	Field  string `json:"field"`
	Kind   string `json:"kind"`
	Offset int    `json:"offset"` // byte offset in the normalised text
	Masked string `json:"masked"`
}

// checkPDF runs the privacy guard on a PDF's text: an EValidation error on
// field, naming the attachment, when it holds personal data or its text
// cannot be read.
func checkPDF(r io.ReaderAt, size int64, name, field string) error {
	text, err := PDFText(r, size)
	if err != nil {
		return hall.FieldError(field, "cannot read the text of attachment %q to check it for personal data (%v): upload a PDF with readable text", name, err)
	}
	var findings []Finding
	for _, f := range privacy.Scan(text) {
		findings = append(findings, Finding{Field: field, Kind: f.Kind, Offset: f.Start, Masked: f.Masked})
	}
	if len(findings) == 0 {
		return nil
	}
	return &hall.Error{Code: hall.EValidation, Field: field, Details: findings,
		Message: fmt.Sprintf("attachment %q contains %d unmasked personal number(s) (e.g. %s): mask them in the PDF and upload it again", name, len(findings), findings[0].Masked)}
}

// CheckAttachment runs the privacy guard on the attachment at url (a
// /media/ URL) when it is a PDF, as Put does on upload: for files uploaded
// before the guard read PDFs, at publish. field names the asset in the
// error; name is how the item names it.
func (l *Library) CheckAttachment(ctx context.Context, url, name, field string) error {
	sum, ok := strings.CutPrefix(url, "/media/")
	if !ok || l.Dir == "" {
		return nil
	}
	m, f, err := l.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer f.Close()
	if m.Type != "pdf" {
		return nil
	}
	if name == "" {
		name = m.Name
	}
	return checkPDF(f, m.Size, name, field)
}
