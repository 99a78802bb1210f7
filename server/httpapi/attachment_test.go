package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/media/mediatest"
)

func TestAttachmentPrivacy(t *testing.T) {
	h := newHarness(t)
	doc := mediatest.PDF("Contact 13812345678")

	t.Run("RefusedAtUpload", func(t *testing.T) {
		r := h.must(h.upload("editor", "救助名单.pdf", doc), http.StatusUnprocessableEntity)
		if r.errField() != "file" || !strings.Contains(string(r.Body), "救助名单.pdf") || !strings.Contains(string(r.Body), "138****5678") {
			t.Errorf("upload: %s", r.Body)
		}
	})

	t.Run("RefusedAtPublish", func(t *testing.T) {
		// A file kept before the guard read PDFs: on disk and in the store,
		// never checked.
		sum := sha256.Sum256(doc)
		sha := hex.EncodeToString(sum[:])
		path := filepath.Join(h.dir, "media", sha[:2], sha)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, doc, 0o640); err != nil {
			t.Fatal(err)
		}
		m := &hall.Media{SHA256: sha, Type: "pdf", MIME: "application/pdf", Size: int64(len(doc)), Name: "old.pdf", CreatedBy: "editor", CreatedAt: time.Now()}
		if err := h.store.PutMedia(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		item := budgetItem()
		item["assets"] = []map[string]any{{"url": m.URL(), "type": "pdf", "name": "救助名单（旧）.pdf"}}
		r := h.must(h.do("POST", "/api/v1/items", "editor", item), http.StatusCreated)
		id := str(r.JSON, "item", "id")
		h.must(h.do("POST", "/api/v1/items/"+id+"/submit", "editor", nil), 200)
		h.must(h.do("POST", "/api/v1/items/"+id+"/approve", "reviewer", nil), 200)
		r = h.must(h.do("POST", "/api/v1/items/"+id+"/publish", "reviewer", nil), http.StatusUnprocessableEntity)
		if r.errField() != "assets[0]" || !strings.Contains(string(r.Body), "救助名单（旧）.pdf") {
			t.Errorf("publish: %s", r.Body)
		}
		if h.do("GET", "/api/v1/public/items/"+id, "", nil).Status != http.StatusNotFound {
			t.Error("the item was published")
		}
	})
}
