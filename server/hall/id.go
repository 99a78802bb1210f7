package hall

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a new random id with a short prefix naming its kind
// ("it" → "it_k3x9…"): 80 random bits, URL-safe, no look-alike characters.
func NewID(prefix string) string {
	var b [10]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
