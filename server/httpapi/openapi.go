package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
)

var echoParam = regexp.MustCompile(`:([a-z_]+)`)

// openapi serves an OpenAPI 3.1 document of the API, built from the route
// table (api) so it cannot fall out of date: paths, parameters, and who may
// call each route. docs/PROTOCOL.md explains each endpoint's bodies and
// rules.
func (s *Server) openapi(c echo.Context) error {
	paths := map[string]map[string]any{}
	var keys []string
	for _, r := range s.api() {
		p := "/api/v1" + echoParam.ReplaceAllString(r.path, "{$1}")
		if paths[p] == nil {
			paths[p] = map[string]any{}
			keys = append(keys, p)
		}
		op := map[string]any{
			"operationId": strings.ToLower(r.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_").Replace(strings.TrimPrefix(p, "/api/v1")),
			"responses": map[string]any{
				"default": map[string]any{"description": "JSON; errors are {\"error\":{\"code\",\"reason\",\"args\",\"message\",\"field\"}}"},
			},
		}
		var params []map[string]any
		for _, m := range echoParam.FindAllStringSubmatch(r.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case r.who.device:
			op["security"] = []any{map[string]any{"screen": []any{}}}
		case r.who.public:
			op["security"] = []any{}
		default:
			roles := []string{}
			for _, role := range r.who.roles {
				roles = append(roles, string(role))
			}
			if len(roles) > 0 && roles[0] != string(hall.RoleAdmin) {
				roles = append(roles, string(hall.RoleAdmin))
			}
			op["x-roles"] = roles // empty: any logged-in staff
		}
		paths[p][strings.ToLower(r.method)] = op
	}
	sort.Strings(keys)
	ordered := make(map[string]any, len(keys))
	for _, k := range keys {
		ordered[k] = paths[k]
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "hallcast API", "version": "v1", "description": "See docs/PROTOCOL.md for bodies, rules and the websocket protocol. x-roles lists the roles that may call an operation (empty: any logged-in staff)."},
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
