package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hallcast/hallcast/server/hall"
)

// access says who may call a route: the public (no credentials), a device
// (a screen's token, which the route's service checks), or logged-in staff
// holding one of roles (any staff when roles is empty; admins hold every
// role). It is declared once per route, in api below: the router enforces
// it and the OpenAPI document describes it.
type access struct {
	public bool
	device bool
	roles  []hall.Role
}

var (
	anyone   = access{public: true}
	device   = access{device: true}
	loggedIn = access{}
	admin    = access{roles: []hall.Role{hall.RoleAdmin}}
	editor   = access{roles: []hall.Role{hall.RoleEditor}}
	reviewer = access{roles: []hall.Role{hall.RoleReviewer}}
	auditor  = access{roles: []hall.Role{hall.RoleAuditor}}
	staff    = access{roles: []hall.Role{hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor}}
	readers  = access{roles: []hall.Role{hall.RoleReviewer, hall.RoleAuditor}}
)

// route is one endpoint of /api/v1.
type route struct {
	method, path string
	handler      echo.HandlerFunc
	who          access
}

// api lists the whole API under /api/v1, with who may call each route.
func (s *Server) api() []route {
	return []route{
		{"GET", "/openapi.json", s.openapi, anyone},

		{"POST", "/session", s.login, anyone},
		{"GET", "/session", s.currentSession, loggedIn},
		{"DELETE", "/session", s.logout, loggedIn},
		{"POST", "/session/password", s.changePassword, loggedIn},

		{"GET", "/tokens", s.listTokens, loggedIn},
		{"POST", "/tokens", s.createToken, loggedIn},
		{"DELETE", "/tokens/:id", s.deleteToken, loggedIn},

		{"GET", "/users", s.listUsers, admin},
		{"POST", "/users", s.createUser, admin},
		{"POST", "/users/:id/disable", s.disableUser, admin},
		{"POST", "/users/:id/enable", s.enableUser, admin},
		{"GET", "/departments", s.listDepartments, staff},
		{"POST", "/departments", s.putDepartment, admin},
		{"GET", "/halls", s.listHalls, staff},
		{"POST", "/halls", s.createHall, admin},
		{"PUT", "/halls/:id", s.updateHall, admin},
		{"GET", "/categories", s.listCategories, staff},
		{"POST", "/categories", s.putCategory, admin},
		{"GET", "/matters", s.listMatters, staff},
		{"POST", "/matters", s.createMatter, editor},

		{"GET", "/items", s.listItems, staff},
		{"POST", "/items", s.createItem, editor},
		{"GET", "/items/:id", s.getItem, staff},
		{"PUT", "/items/:id", s.updateItem, editor},
		{"GET", "/items/:id/revisions", s.itemRevisions, staff},
		{"GET", "/items/:id/diff", s.itemDiff, staff},
		{"POST", "/items/:id/submit", s.submitItem, editor},
		{"POST", "/items/:id/approve", s.approveItem, reviewer},
		{"POST", "/items/:id/publish", s.publishItem, reviewer},
		{"POST", "/items/:id/return", s.returnItem, reviewer},
		{"POST", "/items/:id/withdraw", s.withdrawItem, reviewer},
		{"POST", "/items/:id/revisions/:n/redact", s.redactRevision, admin},
		{"GET", "/items/:id/privacy", s.privacyCheck, staff},
		{"GET", "/items/:id/finance.xlsx", s.financeWorkbook, staff},
		{"POST", "/finance/parse", s.parseFinance, editor},
		{"POST", "/preview", s.previewItem, staff},
		{"POST", "/media", s.uploadMedia, editor},

		{"GET", "/screens", s.listScreens, auditor},
		{"POST", "/screens", s.createScreen, admin},
		{"PUT", "/screens/:id", s.updateScreen, admin},
		{"DELETE", "/screens/:id", s.deleteScreen, admin},
		{"POST", "/screens/:id/command", s.screenCommand, admin},
		{"GET", "/screens/:id/timeline", s.screenTimeline, staff},
		{"GET", "/screens/:id/week", s.screenWeek, staff},
		{"POST", "/pairings", s.createPairing, anyone},
		{"GET", "/pairings/:id", s.pollPairing, anyone},
		{"POST", "/pairings/:code/claim", s.claimPairing, admin},
		{"GET", "/playlists", s.listPlaylists, staff},
		{"GET", "/playlists/:id", s.getPlaylist, staff},
		{"PUT", "/playlists/:id", s.putPlaylist, admin},
		{"DELETE", "/playlists/:id", s.deletePlaylist, admin},
		{"GET", "/schedules", s.listSchedules, staff},
		{"PUT", "/schedules/:id", s.putSchedule, admin},
		{"DELETE", "/schedules/:id", s.deleteSchedule, admin},
		{"GET", "/interrupts", s.listInterrupts, staff},
		{"POST", "/interrupts", s.createInterrupt, admin},
		{"DELETE", "/interrupts/:id", s.deleteInterrupt, admin},
		{"POST", "/device/events", s.deviceEvents, device},

		{"GET", "/feedback", s.listFeedback, readers},
		{"POST", "/feedback/:id/reply", s.replyFeedback, reviewer},
		{"GET", "/cases", s.listCases, readers},
		{"POST", "/cases/:id/resolve", s.resolveCase, reviewer},
		{"GET", "/dashboard", s.dashboard, staff},
		{"GET", "/reports/engagement", s.engagementReport, auditor},
		{"GET", "/reports/scorecard", s.scorecardReport, auditor},
		{"GET", "/scorecard/rules", s.scorecardRules, auditor},
		{"PUT", "/scorecard/rules", s.putScorecardRules, admin},

		{"GET", "/calendar/:year", s.getCalendar, staff},
		{"PUT", "/calendar/:year", s.putCalendar, admin},

		{"GET", "/audit", s.listAudit, auditor},

		// The archive is public: anyone may check what was published when.
		{"GET", "/archive", s.listArchive, anyone},
		{"GET", "/archive/checkpoint", s.checkpoint, anyone},
		{"GET", "/archive/key", s.archiveKey, anyone},
		{"GET", "/archive/proof/:index", s.inclusionProof, anyone},
		{"GET", "/archive/consistency", s.consistencyProof, anyone},
		{"GET", "/archive/verify", s.verifyArchive, auditor},
		{"POST", "/archive/alarm", s.archiveAlarm, anyone},

		// What residents and screens read, no login.
		{"GET", "/public/categories", s.publicCategories, anyone},
		{"GET", "/public/halls", s.publicHalls, anyone},
		{"GET", "/public/items", s.publicItems, anyone},
		{"GET", "/public/items/:id", s.publicItem, anyone},
		{"GET", "/public/items/:id/revisions", s.publicRevisions, anyone},
		{"GET", "/public/items/:id/revisions/:n", s.publicRevision, anyone},
		{"GET", "/public/items/:id/diff", s.publicDiff, anyone},
		{"GET", "/public/items/:id/qr.png", s.itemQR, anyone},
		{"POST", "/public/items/:id/rating", s.phoneRating, anyone},
		{"POST", "/public/items/:id/feedback", s.phoneFeedback, anyone},
		{"GET", "/public/matters/:id", s.publicMatter, anyone},
		{"GET", "/public/replies", s.publicReplies, anyone},
		{"GET", "/public/feedback/:receipt", s.publicFeedbackStatus, anyone},
		{"GET", "/public/feedback/:receipt/qr.png", s.receiptQR, anyone},
	}
}

// routes wires the pages, the operational endpoints and the API.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.observe, s.securityHeaders, bodyLimit(2<<20, "/api/v1/media", "/api/v1/finance/parse"), remoteAddr)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.openapi) // also at /api/v1/openapi.json
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.Gatherer, promhttp.HandlerOpts{})))

	// Pages and their assets.
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/kiosk") })
	e.GET("/player", s.page("player/index.html"))
	e.GET("/kiosk", s.page("kiosk/index.html"))
	e.GET("/admin", s.page("admin/index.html"))
	e.GET("/p/:id", s.page("public/index.html"))
	e.GET("/v/:hall", s.page("public/index.html"))
	e.GET("/r/:receipt", s.page("public/index.html"))
	e.GET("/player-sw.js", s.worker("player"))
	e.GET("/kiosk-sw.js", s.worker("kiosk"))
	e.GET("/ui/*", s.uiFile)
	e.GET("/media/:sha", s.serveMedia)
	if s.Devices != nil {
		e.GET("/ws", echo.WrapHandler(s.Devices))
	}

	g := e.Group("/api/v1", s.authenticate)
	for _, r := range s.api() {
		var mw []echo.MiddlewareFunc
		if !r.who.public && !r.who.device {
			mw = append(mw, require(r.who.roles...))
		}
		g.Add(r.method, r.path, r.handler, mw...)
	}
	g.Any("/*", func(c echo.Context) error {
		return hall.Errorf(hall.ENotFound, "no such endpoint: %s %s", c.Request().Method, c.Request().URL.Path)
	})
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 while the store is reachable, saying which store and
// how durable it is. It also says whether the archive's history is
// consistent with every head signed before: when it is not, the server
// still serves (reads come from the history it holds) but signs no new
// checkpoint, and "archive" says why.
func (s *Server) readyz(c echo.Context) error {
	details, err := s.Ready(c.Request().Context())
	if err != nil {
		s.logger.Warn("readiness: store unreachable", "err", err)
		return c.JSON(http.StatusServiceUnavailable, errorBody{errorJSON{Code: hall.EUnavailable, Message: "store unreachable", Details: details}})
	}
	out := map[string]any{"status": "ready", "archive": map[string]any{"consistent": true}}
	if problem := s.Archive.Problem(); problem != "" {
		out["archive"] = map[string]any{"consistent": false, "problem": problem}
	}
	for k, v := range details {
		out[k] = v
	}
	return c.JSON(http.StatusOK, out)
}
