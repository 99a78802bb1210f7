package httpapi

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// protocolDoc is the public contract, which must document every route.
const protocolDoc = "../../docs/PROTOCOL.md"

// docRoute finds the routes a document names: "GET /api/v1/items/{id}".
var docRoute = regexp.MustCompile(`\b(GET|POST|PUT|DELETE|PATCH) (/api/v1/[A-Za-z0-9_.{}/-]*[A-Za-z0-9_}])`)

// documented returns each route of the table as the document writes it,
// "METHOD /api/v1/path/{param}".
func documented(routes []route) []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.method + " /api/v1" + echoParam.ReplaceAllString(r.path, "{$1}")
	}
	return out
}

// TestProtocolDocumentsEveryRoute keeps docs/PROTOCOL.md and the route
// table in step: every route is documented, and every route the document
// names exists.
func TestProtocolDocumentsEveryRoute(t *testing.T) {
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatalf("read the protocol document: %v", err)
	}
	named := map[string]bool{}
	for _, m := range docRoute.FindAllStringSubmatch(string(b), -1) {
		named[m[1]+" "+m[2]] = true
	}
	routes := documented((&Server{}).api())
	if len(routes) == 0 {
		t.Fatal("the route table is empty")
	}

	t.Run("EveryRouteDocumented", func(t *testing.T) {
		for _, r := range routes {
			if !named[r] {
				t.Errorf("%s is not in %s: document it (route table, section, who may call it)", r, protocolDoc)
			}
		}
	})

	t.Run("EveryDocumentedRouteExists", func(t *testing.T) {
		if len(named) == 0 {
			t.Fatalf("%s names no route at all", protocolDoc)
		}
		for _, r := range slices.Sorted(maps.Keys(named)) {
			if !slices.Contains(routes, r) {
				t.Errorf("%s names %s, which is not in the route table (api in routes.go)", protocolDoc, r)
			}
		}
	})
}

// docTableRow is a row of the document's route table: "| `GET /api/v1/…` | who |".
var docTableRow = regexp.MustCompile("(?m)^\\| `([A-Z]+ /api/v1/[^`]*)` \\| ([^|]+) \\|")

// whoLabel is how the document's route table says who may call a route.
func whoLabel(a access) string {
	switch {
	case a.public:
		return "anyone"
	case a.device:
		return "device"
	case len(a.roles) == 0:
		return "logged in"
	case slices.Equal(a.roles, staff.roles):
		return "staff"
	}
	names := make([]string, len(a.roles))
	for i, r := range a.roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// TestProtocolRouteTableSaysWhoMayCall checks the "Who" column of the
// document's route table against the access each route declares.
func TestProtocolRouteTableSaysWhoMayCall(t *testing.T) {
	b, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatalf("read the protocol document: %v", err)
	}
	who := map[string]string{}
	for _, m := range docTableRow.FindAllStringSubmatch(string(b), -1) {
		who[m[1]] = strings.TrimSpace(m[2])
	}
	for _, r := range (&Server{}).api() {
		path := documented([]route{r})[0]
		got, ok := who[path]
		if !ok {
			t.Errorf("%s has no row in the route table of %s", path, protocolDoc)
			continue
		}
		if want := whoLabel(r.who); got != want && !strings.HasPrefix(got, want+" ") {
			t.Errorf("route table of %s: %s may be called by %q, the row says %q", protocolDoc, path, want, got)
		}
	}
}

// TestDocRoutePattern checks the pattern that reads routes from the
// document, so a document that names routes differently cannot pass
// unnoticed.
func TestDocRoutePattern(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"#### `GET /api/v1/items/{id}`", []string{"GET /api/v1/items/{id}"}},
		{"| `POST /api/v1/pairings/{code}/claim` | admin |", []string{"POST /api/v1/pairings/{code}/claim"}},
		{"poll `GET /api/v1/pairings/{id}?secret=…`", []string{"GET /api/v1/pairings/{id}"}},
		{"see GET /api/v1/public/items/{id}/qr.png.", []string{"GET /api/v1/public/items/{id}/qr.png"}},
		{"`GET /api/openapi.json` and GET /healthz", nil},
		{"a GET request to /api/v1/items", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range docRoute.FindAllStringSubmatch(tt.text, -1) {
			got = append(got, m[1]+" "+m[2])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("routes in %q: got %q, want %q", tt.text, got, tt.want)
		}
	}
}
