package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/accounts"
)

func (s *Server) listUsers(c echo.Context) error {
	users, err := s.Accounts.ListUsers(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

func (s *Server) createUser(c echo.Context) error {
	var in accounts.UserInput
	if err := bind(c, &in); err != nil {
		return err
	}
	u, err := s.Accounts.CreateUser(c.Request().Context(), userOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": u})
}

func (s *Server) disableUser(c echo.Context) error { return s.setDisabled(c, true) }
func (s *Server) enableUser(c echo.Context) error  { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c echo.Context, disabled bool) error {
	u, err := s.Accounts.SetDisabled(c.Request().Context(), userOf(c), c.Param("id"), disabled)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": u})
}

type tokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days"`
	// UserID makes the token for another account (admins only).
	UserID string `json:"user_id"`
}

func (s *Server) createToken(c echo.Context) error {
	var in tokenRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	secret, tok, err := s.Accounts.CreateToken(c.Request().Context(), userOf(c), in.UserID,
		accounts.TokenInput{Name: in.Name, TTL: time.Duration(in.ExpiresInDays) * 24 * time.Hour})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": secret, "api_token": tok})
}

// listTokens lists the caller's tokens; an admin may ask for every user's
// with ?all=true.
func (s *Server) listTokens(c echo.Context) error {
	toks, err := s.Accounts.ListTokens(c.Request().Context(), userOf(c), c.QueryParam("all") == "true")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": toks})
}

func (s *Server) deleteToken(c echo.Context) error {
	if err := s.Accounts.DeleteToken(c.Request().Context(), userOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
