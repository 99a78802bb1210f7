// Package auth hashes staff passwords (argon2id) and makes and hashes the
// random secrets hallcast hands out: session tokens, API tokens, screen
// tokens, CSRF tokens. Only hashes of secrets are ever stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Hasher hashes passwords with argon2id. The zero value is not usable: take
// Production() or a cheaper one in tests.
type Hasher struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Production returns the production cost: 19 MiB, two passes, one lane —
// the first argon2id configuration OWASP's Password Storage Cheat Sheet
// recommends. The memory is per hash: the accounts service bounds how many
// run at once, so a burst of logins cannot exhaust the server's memory.
// Hashes made with other parameters (older versions used 64 MiB, one pass,
// two lanes) still verify: the parameters are part of each hash.
func Production() Hasher { return Hasher{Memory: 19 << 10, Time: 2, Threads: 1} }

// MaxMemory bounds the memory a stored hash may ask Verify for (KiB), so
// an edited hash cannot make one login allocate gigabytes.
const MaxMemory = 256 << 10

// Password rules.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 256
)

// CheckPasswordRules returns an error saying what is wrong with a new password.
func CheckPasswordRules(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordRunes {
		return fmt.Errorf("at least %d characters", MinPasswordRunes)
	}
	if len(pw) > MaxPasswordBytes {
		return fmt.Errorf("at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// Hash returns the PHC-format argon2id hash of a password.
func (h Hasher) Hash(password string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, h.Time, h.Memory, h.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrMismatch is returned when a password does not match its hash.
var ErrMismatch = errors.New("password does not match")

// Verify checks a password against a hash made by Hash (with any cost).
func Verify(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("unknown password hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("unknown argon2 version")
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return fmt.Errorf("argon2 parameters: %w", err)
	}
	if mem > MaxMemory || t == 0 || t > 10 || p == 0 {
		return fmt.Errorf("argon2 parameters out of range: m=%d t=%d p=%d", mem, t, p)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("argon2 salt: %w", err)
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("argon2 key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// NewSecret returns a random secret with a prefix naming its kind
// ("hct_…" for API tokens): 256 random bits, base64url.
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the hex SHA-256 of a secret, the form secrets are
// stored and looked up in. Secrets are random, so no salt or stretching.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
