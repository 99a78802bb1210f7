package auth

import (
	"strings"
	"testing"
)

var cheap = Hasher{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := cheap.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash format: %s", h)
	}
	if err := Verify(h, "correct horse battery"); err != nil {
		t.Errorf("Verify(right password) = %v", err)
	}
	if err := Verify(h, "wrong horse battery"); err != ErrMismatch {
		t.Errorf("Verify(wrong password) = %v, want ErrMismatch", err)
	}
	h2, _ := cheap.Hash("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA"} {
		if err := Verify(bad, "x"); err == nil || err == ErrMismatch {
			t.Errorf("Verify(%q) = %v, want a format error", bad, err)
		}
	}
}

func TestPasswordRules(t *testing.T) {
	if err := CheckPasswordRules("short"); err == nil {
		t.Error("short password accepted")
	}
	if err := CheckPasswordRules(strings.Repeat("x", 300)); err == nil {
		t.Error("300-byte password accepted")
	}
	if err := CheckPasswordRules("政务公开大厅密码很长"); err != nil {
		t.Errorf("10-rune Chinese password rejected: %v", err)
	}
}

func TestSecrets(t *testing.T) {
	a, b := NewSecret("hct_"), NewSecret("hct_")
	if a == b || !strings.HasPrefix(a, "hct_") || len(a) != 4+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
	if HashSecret(a) == HashSecret(b) || len(HashSecret(a)) != 64 {
		t.Error("hashes collide or wrong length")
	}
	if !Equal(a, a) || Equal(a, b) {
		t.Error("Equal wrong")
	}
}
