package httpapi

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hallcast/hallcast/server/hall"
)

// reasonRow is one failure the server can answer with.
type reasonRow struct {
	reason, code, message string
}

// codeNames maps the names of the hall error codes to their values.
var codeNames = map[string]string{
	"EValidation": hall.EValidation, "EUnauthenticated": hall.EUnauthenticated, "EForbidden": hall.EForbidden,
	"ENotFound": hall.ENotFound, "EConflict": hall.EConflict, "ETooLarge": hall.ETooLarge,
	"ERateLimited": hall.ERateLimited, "EInternal": hall.EInternal, "EUnavailable": hall.EUnavailable,
}

// sourceReasons finds every error the server code makes with hall.Errorf,
// hall.FieldError or hall.NotFound from a literal format, with the reason
// it carries (WithReason, else the derived one).
func sourceReasons(t *testing.T, roots ...string) []reasonRow {
	t.Helper()
	seen := map[string]reasonRow{}
	fset := token.NewFileSet()
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			override := map[token.Pos]string{}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "WithReason" && len(call.Args) == 1 {
					if inner, ok := sel.X.(*ast.CallExpr); ok {
						if s, ok := literal(call.Args[0]); ok {
							override[inner.Pos()] = s
						}
					}
				}
				return true
			})
			ast.Inspect(f, func(n ast.Node) bool {
				// &hall.Error{Code: …, Reason: "…"} names its reason itself.
				if lit, ok := n.(*ast.CompositeLit); ok {
					if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "hall" {
							row := reasonRow{code: "?"}
							for _, el := range lit.Elts {
								kv, ok := el.(*ast.KeyValueExpr)
								if !ok {
									continue
								}
								switch k, _ := kv.Key.(*ast.Ident); k.Name {
								case "Code":
									row.code = codeArg(kv.Value)
								case "Reason":
									row.reason, _ = literal(kv.Value)
								case "Message":
									if c, ok := kv.Value.(*ast.CallExpr); ok && len(c.Args) > 0 {
										row.message, _ = literal(c.Args[0])
									} else {
										row.message, _ = literal(kv.Value)
									}
								}
							}
							if row.reason != "" {
								seen[row.reason+" "+row.code] = row
							}
						}
					}
					return true
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name := ""
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "hall" {
						name = fn.Sel.Name
					}
				case *ast.Ident:
					if f.Name.Name == "hall" || fn.Name == "newProblem" {
						name = fn.Name
					}
					if f.Name.Name == "playlists" && fn.Name == "invalid" {
						name = "FieldError"
					}
				}
				var row reasonRow
				switch name {
				case "Errorf":
					if len(call.Args) < 2 {
						return true
					}
					format, ok := literal(call.Args[1])
					if !ok {
						return true
					}
					row = reasonRow{reason: hall.ReasonOf(format), code: codeArg(call.Args[0]), message: format}
				case "FieldError":
					if len(call.Args) < 2 {
						return true
					}
					format, ok := literal(call.Args[1])
					if !ok {
						return true
					}
					row = reasonRow{reason: hall.ReasonOf(format), code: hall.EValidation, message: format}
				case "newProblem":
					// A problem of a spreadsheet import, in details.problems.
					if len(call.Args) < 2 {
						return true
					}
					format, ok := literal(call.Args[1])
					if !ok {
						return true
					}
					row = reasonRow{reason: hall.ReasonOf(format), code: hall.EValidation, message: "(import problem) " + format}
				case "NotFound":
					kind, ok := literal(call.Args[0])
					if !ok {
						return true
					}
					row = reasonRow{reason: hall.ReasonOf(kind) + "_not_found", code: hall.ENotFound, message: kind + " %q not found"}
				default:
					return true
				}
				if r, ok := override[call.Pos()]; ok {
					row.reason = r
				}
				if row.reason == "" {
					row.reason = row.code
				}
				key := row.reason + " " + row.code
				if _, dup := seen[key]; !dup {
					seen[key] = row
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows := make([]reasonRow, 0, len(seen))
	for _, r := range seen {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b reasonRow) int { return strings.Compare(a.reason+" "+a.code, b.reason+" "+b.code) })
	return rows
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func codeArg(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		return codeNames[x.Sel.Name]
	case *ast.Ident:
		return codeNames[x.Name]
	}
	return "?"
}

const (
	reasonsBegin = "<!-- reasons:begin (generated: HALLCAST_UPDATE_DOCS=1 go test ./server/httpapi -run TestProtocolDocumentsEveryReason) -->"
	reasonsEnd   = "<!-- reasons:end -->"
)

// TestProtocolDocumentsEveryReason keeps the table of reasons in
// docs/PROTOCOL.md equal to the errors the server code makes; with
// HALLCAST_UPDATE_DOCS=1 it rewrites the table.
func TestProtocolDocumentsEveryReason(t *testing.T) {
	rows := sourceReasons(t, "../../server", "../../playlists", "../../cmd")
	if len(rows) < 100 {
		t.Fatalf("found %d reasons in the source, want the server's hundreds", len(rows))
	}
	var b strings.Builder
	b.WriteString(reasonsBegin + "\n\n| Reason | Code | Message (Go format) |\n|---|---|---|\n")
	for _, r := range rows {
		msg := strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(r.message)
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", r.reason, r.code, msg)
	}
	b.WriteString("\n" + reasonsEnd)
	doc, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i, j := strings.Index(text, reasonsBegin), strings.Index(text, reasonsEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no reasons table between %q and %q", protocolDoc, reasonsBegin, reasonsEnd)
	}
	want := text[:i] + b.String() + text[j+len(reasonsEnd):]
	if want == text {
		return
	}
	if os.Getenv("HALLCAST_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(protocolDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the reasons table in %s is out of date: run HALLCAST_UPDATE_DOCS=1 go test ./server/httpapi -run TestProtocolDocumentsEveryReason", protocolDoc)
}
