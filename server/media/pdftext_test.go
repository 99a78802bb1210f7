package media

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/media/mediatest"
	"github.com/hallcast/hallcast/server/sqlite"
)

func TestPDFText(t *testing.T) {
	doc := mediatest.PDF("Notice of assistance", "Contact 13812345678")
	text, err := PDFText(bytes.NewReader(doc), int64(len(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "13812345678") || !strings.Contains(text, "assistance") {
		t.Errorf("text %q, want both lines", text)
	}
	if _, err := PDFText(bytes.NewReader([]byte("%PDF-1.4\nnot a pdf")), 17); err == nil {
		t.Error("a broken PDF gave no error")
	}
}

func TestUploadRefusesPDFWithPersonalData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	lib := &Library{Dir: filepath.Join(dir, "media"), Store: store, Now: time.Now}
	editor := &hall.User{Username: "editor", Role: hall.RoleEditor}
	cases := []struct {
		name  string
		lines []string
		kind  string // "" accepted
	}{
		{"OK", []string{"Budget 2026", "Total 1380000.00 yuan", "Ref 2026-11-29"}, ""},
		{"ErrMobile", []string{"Contact 138 1234 5678"}, "mobile"},
		{"ErrIDNumber", []string{"ID 11010519491231002X"}, "id_card"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := mediatest.PDF(tc.lines...)
			m, err := lib.Put(ctx, editor, bytes.NewReader(doc), "名单.pdf")
			if tc.kind == "" {
				if err != nil || m.Type != "pdf" {
					t.Fatalf("Put = %+v, %v", m, err)
				}
				if err := lib.CheckAttachment(ctx, m.URL(), "", "assets[0]"); err != nil {
					t.Errorf("CheckAttachment of a clean PDF: %v", err)
				}
				return
			}
			var herr *hall.Error
			if !errors.As(err, &herr) || herr.Code != hall.EValidation || herr.Field != "file" || !strings.Contains(herr.Message, "名单.pdf") {
				t.Fatalf("Put = %v, want a validation error on file naming the attachment", err)
			}
			if f, _ := herr.Details.([]Finding); len(f) != 1 || f[0].Kind != tc.kind {
				t.Errorf("findings %+v, want one %s", herr.Details, tc.kind)
			}
			if files, _ := filepath.Glob(filepath.Join(lib.Dir, "??", "*")); len(files) != 1 {
				t.Errorf("media files after the refusal: %v, want only the clean one", files)
			}
		})
	}
}
