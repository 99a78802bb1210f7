package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/hall"
)

type userRequest struct {
	Username    string    `json:"username"`
	Password    string    `json:"password"`
	Role        hall.Role `json:"role"`
	Departments []string  `json:"departments"`
}

// NewUser validates a new account and hashes its password. The command line
// and the API share it.
func NewUser(h auth.Hasher, username, password string, role hall.Role, departments []string, now time.Time) (*hall.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if !hall.ValidKey(username) {
		return nil, hall.FieldError("username", "want lower-case letters, digits, '-' or '_' (at most 40)")
	}
	if !role.Valid() {
		return nil, hall.FieldError("role", "want admin, editor, reviewer or auditor")
	}
	if err := auth.CheckPasswordRules(password); err != nil {
		return nil, hall.FieldError("password", "%v", err)
	}
	for i, d := range departments {
		if !hall.ValidKey(d) {
			return nil, hall.FieldError("departments["+strconv.Itoa(i)+"]", "not a department key")
		}
	}
	hash, err := h.Hash(password)
	if err != nil {
		return nil, err
	}
	if departments == nil {
		departments = []string{}
	}
	return &hall.User{Username: username, Role: role, Departments: departments, PasswordHash: hash, CreatedAt: now.UTC()}, nil
}

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.Store.ListUsers(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

func (s *Server) createUser(c echo.Context) error {
	var in userRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	for i, d := range in.Departments {
		if _, err := s.Store.Department(ctx, d); hall.IsCode(err, hall.ENotFound) {
			return hall.FieldError("departments["+strconv.Itoa(i)+"]", "no department %q", d)
		}
	}
	u, err := NewUser(s.Hasher, in.Username, in.Password, in.Role, in.Departments, s.Now())
	if err != nil {
		return err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, u.Username)
	return c.JSON(http.StatusCreated, map[string]any{"user": u})
}

type tokenRequest struct {
	Name string `json:"name"`
}

func (s *Server) createToken(c echo.Context) error {
	var in tokenRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	in.Name = strings.TrimSpace(in.Name)
	if len([]rune(in.Name)) > 80 {
		return hall.FieldError("name", "at most 80 characters")
	}
	u := userOf(c)
	secret, tok := NewAPIToken(u.ID, in.Name, s.Now())
	if err := s.Store.CreateToken(c.Request().Context(), tok); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, tok.ID)
	return c.JSON(http.StatusCreated, map[string]any{"token": secret, "api_token": tok})
}

// NewAPIToken returns a new bearer token's secret and the record to store.
func NewAPIToken(userID, name string, now time.Time) (string, *hall.APIToken) {
	secret := auth.NewSecret(apiTokenPrefix)
	return secret, &hall.APIToken{ID: hall.NewID("tk"), UserID: userID, Name: name, Hash: auth.HashSecret(secret), CreatedAt: now.UTC()}
}

func (s *Server) listTokens(c echo.Context) error {
	toks, err := s.Store.ListTokens(c.Request().Context(), userOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": toks})
}

func (s *Server) deleteToken(c echo.Context) error {
	ctx := c.Request().Context()
	toks, err := s.Store.ListTokens(ctx, userOf(c).ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(toks, func(t *hall.APIToken) bool { return t.ID == c.Param("id") }) && userOf(c).Role != hall.RoleAdmin {
		return hall.NotFound("token", c.Param("id"))
	}
	if err := s.Store.DeleteToken(ctx, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listDepartments(c echo.Context) error {
	ds, err := s.Store.ListDepartments(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"departments": ds})
}

func (s *Server) putDepartment(c echo.Context) error {
	var d hall.Department
	if err := bind(c, &d); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if err := s.Store.PutDepartment(c.Request().Context(), &d); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, d.Key)
	return c.JSON(http.StatusCreated, map[string]any{"department": d})
}

func (s *Server) listHalls(c echo.Context) error {
	hs, err := s.Store.ListHalls(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"halls": hs})
}

type hallRequest struct {
	Name string `json:"name"`
	TZ   string `json:"tz"`
}

func (s *Server) createHall(c echo.Context) error {
	var in hallRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	h := &hall.Hall{Name: in.Name, TZ: in.TZ, CreatedAt: s.Now().UTC()}
	if err := h.Validate(); err != nil {
		return err
	}
	if err := s.Store.CreateHall(c.Request().Context(), h); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, h.ID)
	return c.JSON(http.StatusCreated, map[string]any{"hall": h})
}

func (s *Server) listCategories(c echo.Context) error {
	cs, err := s.Store.ListCategories(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": cs})
}

func (s *Server) putCategory(c echo.Context) error {
	var cat hall.Category
	if err := bind(c, &cat); err != nil {
		return err
	}
	if err := cat.Validate(); err != nil {
		return err
	}
	if err := s.Store.PutCategory(c.Request().Context(), &cat); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, cat.Key)
	return c.JSON(http.StatusCreated, map[string]any{"category": cat})
}

func (s *Server) listMatters(c echo.Context) error {
	ms, err := s.Store.ListMatters(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"matters": ms})
}

type matterRequest struct {
	Title string `json:"title"`
}

func (s *Server) createMatter(c echo.Context) error {
	var in matterRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	m := &hall.Matter{Title: in.Title, CreatedAt: s.Now().UTC()}
	if err := m.Validate(); err != nil {
		return err
	}
	if err := s.Store.CreateMatter(c.Request().Context(), m); err != nil {
		return err
	}
	c.Set(ctxAuditTarget, m.ID)
	return c.JSON(http.StatusCreated, map[string]any{"matter": m})
}

func (s *Server) listAudit(c echo.Context) error {
	f := hall.AuditFilter{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Target: c.QueryParam("target")}
	var err error
	if f.From, err = queryTime(c, "from", s.loc); err != nil {
		return err
	}
	if f.To, err = queryTime(c, "to", s.loc); err != nil {
		return err
	}
	if f.Limit, err = queryInt(c, "limit", 100, 1, 1000); err != nil {
		return err
	}
	entries, err := s.Store.ListAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

// queryInt reads an integer query parameter within [min, max].
func queryInt(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, hall.FieldError(name, "want a whole number from %d to %d", min, max)
	}
	return n, nil
}

// queryTime reads an optional RFC 3339 or YYYY-MM-DD query parameter.
func queryTime(c echo.Context, name string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(name, c.QueryParam(name), loc)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return *t, nil
}
