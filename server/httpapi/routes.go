package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hallcast/hallcast/server/hall"
)

// routes lists the whole API. Roles are checked per route with require;
// admins pass every check.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.observe, securityHeaders, bodyLimit(2<<20, "/api/v1/media"))

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.openapi) // PROTOCOL.md's name; also at /api/v1/openapi.json
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.Gatherer, promhttp.HandlerOpts{})))

	// Pages and their assets.
	e.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/kiosk") })
	e.GET("/player", s.page("player/index.html"))
	e.GET("/kiosk", s.page("kiosk/index.html"))
	e.GET("/admin", s.page("admin/index.html"))
	e.GET("/p/:id", s.page("public/index.html"))
	e.GET("/player-sw.js", s.worker("player"))
	e.GET("/kiosk-sw.js", s.worker("kiosk"))
	e.GET("/ui/*", s.uiFile)
	e.GET("/media/:sha", s.serveMedia)
	if s.Hub != nil {
		e.GET("/ws", func(c echo.Context) error { s.Hub.ServeWS(c.Response(), c.Request()); return nil })
	}

	api := e.Group("/api/v1", s.authenticate, s.audit)
	authed := require()
	admin := require(hall.RoleAdmin)
	editor := require(hall.RoleEditor)
	reviewer := require(hall.RoleReviewer)
	auditor := require(hall.RoleAuditor)
	staff := require(hall.RoleEditor, hall.RoleReviewer, hall.RoleAuditor)

	api.GET("/openapi.json", s.openapi)

	api.POST("/session", s.login)
	api.GET("/session", s.currentSession, authed)
	api.DELETE("/session", s.logout, authed)
	api.POST("/session/password", s.changePassword, authed)

	api.GET("/tokens", s.listTokens, authed)
	api.POST("/tokens", s.createToken, authed)
	api.DELETE("/tokens/:id", s.deleteToken, authed)

	api.GET("/users", s.listUsers, admin)
	api.POST("/users", s.createUser, admin)
	api.GET("/departments", s.listDepartments, staff)
	api.POST("/departments", s.putDepartment, admin)
	api.GET("/halls", s.listHalls, staff)
	api.POST("/halls", s.createHall, admin)
	api.GET("/categories", s.listCategories, staff)
	api.POST("/categories", s.putCategory, admin)
	api.GET("/matters", s.listMatters, staff)
	api.POST("/matters", s.createMatter, editor)

	api.GET("/items", s.listItems, staff)
	api.POST("/items", s.createItem, editor)
	api.GET("/items/:id", s.getItem, staff)
	api.PUT("/items/:id", s.updateItem, editor)
	api.GET("/items/:id/revisions", s.itemRevisions, staff)
	api.POST("/items/:id/submit", s.submitItem, editor)
	api.POST("/items/:id/approve", s.approveItem, reviewer)
	api.POST("/items/:id/publish", s.publishItem, reviewer)
	api.POST("/items/:id/withdraw", s.withdrawItem, reviewer)
	api.GET("/items/:id/privacy", s.privacyCheck, staff)

	api.GET("/screens", s.listScreens, require(hall.RoleAuditor))
	api.POST("/screens", s.createScreen, admin)
	api.DELETE("/screens/:id", s.deleteScreen, admin)
	api.POST("/screens/:id/command", s.screenCommand, admin)
	api.GET("/screens/:id/timeline", s.screenTimeline, staff)
	api.POST("/pairings", s.createPairing)
	api.GET("/pairings/:id", s.pollPairing)
	api.POST("/pairings/:code/claim", s.claimPairing, admin)
	api.PUT("/halls/:id", s.updateHall, admin)
	api.GET("/playlists", s.listPlaylists, staff)
	api.GET("/playlists/:id", s.getPlaylist, staff)
	api.PUT("/playlists/:id", s.putPlaylist, admin)
	api.DELETE("/playlists/:id", s.deletePlaylist, admin)
	api.GET("/schedules", s.listSchedules, staff)
	api.PUT("/schedules/:id", s.putSchedule, admin)
	api.DELETE("/schedules/:id", s.deleteSchedule, admin)
	api.GET("/interrupts", s.listInterrupts, staff)
	api.POST("/interrupts", s.createInterrupt, admin)
	api.DELETE("/interrupts/:id", s.deleteInterrupt, admin)
	api.POST("/media", s.uploadMedia, editor)
	api.POST("/device/events", s.deviceEvents)

	api.GET("/feedback", s.listFeedback, require(hall.RoleReviewer, hall.RoleAuditor))
	api.POST("/feedback/:id/reply", s.replyFeedback, reviewer)
	api.GET("/cases", s.listCases, require(hall.RoleReviewer, hall.RoleAuditor))
	api.POST("/cases/:id/resolve", s.resolveCase, reviewer)
	api.GET("/reports/engagement", s.engagementReport, auditor)
	api.GET("/reports/scorecard", s.scorecardReport, auditor)

	api.GET("/calendar/:year", s.getCalendar, staff)
	api.PUT("/calendar/:year", s.putCalendar, admin)

	api.GET("/audit", s.listAudit, auditor)

	// The archive is public: anyone may check what was published when.
	api.GET("/archive", s.listArchive)
	api.GET("/archive/checkpoint", s.checkpoint)
	api.GET("/archive/key", s.archiveKey)
	api.GET("/archive/proof/:index", s.inclusionProof)
	api.GET("/archive/consistency", s.consistencyProof)
	api.GET("/archive/verify", s.verifyArchive, auditor)

	// What residents and screens read, no login.
	api.GET("/public/categories", s.publicCategories)
	api.GET("/public/items", s.publicItems)
	api.GET("/public/items/:id", s.publicItem)
	api.GET("/public/items/:id/revisions", s.publicRevisions)
	api.GET("/public/items/:id/revisions/:n", s.publicRevision)
	api.GET("/public/items/:id/qr.png", s.itemQR)
	api.GET("/public/matters/:id", s.publicMatter)
	api.GET("/public/replies", s.publicReplies)
	api.GET("/public/feedback/:receipt", s.publicFeedbackStatus)

	api.Any("/*", func(c echo.Context) error {
		return hall.Errorf(hall.ENotFound, "no such endpoint: %s %s", c.Request().Method, c.Request().URL.Path)
	})
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.Store.Ping(c.Request().Context()); err != nil {
		s.logger.Warn("readiness: store unreachable", "err", err)
		return c.JSON(http.StatusServiceUnavailable, errorBody{errorJSON{Code: hall.EInternal, Message: "store unreachable"}})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
