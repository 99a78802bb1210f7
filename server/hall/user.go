package hall

import (
	"slices"
	"time"
)

// Role is what a user may do. Admins may do everything.
type Role string

const (
	RoleAdmin    Role = "admin"    // everything
	RoleEditor   Role = "editor"   // drafts in own departments
	RoleReviewer Role = "reviewer" // approve, publish, withdraw
	RoleAuditor  Role = "auditor"  // read reports, audit log, archive
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleEditor, RoleReviewer, RoleAuditor:
		return true
	}
	return false
}

// User is a member of staff who logs into the console or uses an API token.
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	Role         Role      `json:"role"`
	Departments  []string  `json:"departments"`
	Disabled     bool      `json:"disabled,omitempty"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Has reports whether the user holds one of the roles (admins hold them all).
func (u *User) Has(roles ...Role) bool {
	if u == nil || u.Disabled {
		return false
	}
	return u.Role == RoleAdmin || slices.Contains(roles, u.Role)
}

// InDepartment reports whether the user may work on the department's items:
// admins always; others when the department is theirs, or when they have no
// departments listed and are not editors (a reviewer for the whole hall).
func (u *User) InDepartment(dept string) bool {
	if u == nil {
		return false
	}
	if u.Role == RoleAdmin {
		return true
	}
	if len(u.Departments) == 0 {
		return u.Role != RoleEditor
	}
	return slices.Contains(u.Departments, dept)
}

// Session is a console login. The store keeps only the hash of its token.
type Session struct {
	TokenHash string
	UserID    string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	RemoteIP  string
}

// APIToken is a bearer token for automation. Only its hash is stored.
type APIToken struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Hash      string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	// ExpiresAt ends the token; nil means it never expires.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}
