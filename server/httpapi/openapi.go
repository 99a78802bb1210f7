package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// isPublicRoute reports whether a route takes no credentials.
func isPublicRoute(method, p string) bool {
	switch {
	case strings.HasPrefix(p, "/api/v1/public/"), p == "/api/v1/openapi.json":
		return true
	case strings.HasPrefix(p, "/api/v1/archive"):
		return p != "/api/v1/archive/verify"
	case p == "/api/v1/session":
		return method == http.MethodPost
	case strings.HasPrefix(p, "/api/v1/pairings"):
		return !strings.HasSuffix(p, "/claim")
	}
	return false
}

// openapi serves an OpenAPI 3.1 document of the routes this server has,
// built from the router so it cannot fall out of date. docs/API.md explains
// each endpoint's bodies and rules.
func (s *Server) openapi(c echo.Context) error {
	paths := map[string]map[string]any{}
	var keys []string
	for _, r := range s.echo.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") || strings.HasSuffix(r.Path, "/*") {
			continue
		}
		p := echoParam.ReplaceAllString(r.Path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
			keys = append(keys, p)
		}
		op := map[string]any{
			"operationId": strings.ToLower(r.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_").Replace(strings.TrimPrefix(p, "/api/v1")),
			"responses": map[string]any{
				"default": map[string]any{"description": "JSON; errors are {\"error\":{\"code\",\"message\",\"field\"}}"},
			},
		}
		var params []map[string]any
		for _, m := range echoParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case p == "/api/v1/device/events":
			op["security"] = []any{map[string]any{"screen": []any{}}}
		case isPublicRoute(r.Method, p):
			op["security"] = []any{}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	sort.Strings(keys)
	ordered := make(map[string]any, len(keys))
	for _, k := range keys {
		ordered[k] = paths[k]
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "hallcast API", "version": "v1", "description": "See docs/API.md and PROTOCOL.md for bodies, roles and the websocket protocol."},
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			"screen":  map[string]any{"type": "http", "scheme": "bearer", "description": "a screen token (hsc_…)"},
		}},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"paths":    ordered,
	}
	return c.JSON(http.StatusOK, doc)
}
