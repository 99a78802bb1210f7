package archive

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	signer, verifier, vkey, err := LoadOrCreateKey(dir, "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if signer.Name() != DefaultKeyName || verifier.Name() != DefaultKeyName {
		t.Errorf("names %q, %q, want %q", signer.Name(), verifier.Name(), DefaultKeyName)
	}
	if !strings.HasPrefix(vkey, DefaultKeyName+"+") {
		t.Errorf("vkey = %q, want it to start with the name", vkey)
	}
	checkMode(t, filepath.Join(dir, KeyFile), 0o600)
	checkMode(t, filepath.Join(dir, PublicKeyFile), 0o644)
	pub, err := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if err != nil || strings.TrimSpace(string(pub)) != vkey {
		t.Errorf("%s = %q (%v), want %q", PublicKeyFile, pub, err, vkey)
	}
	if key, _ := os.ReadFile(filepath.Join(dir, KeyFile)); !strings.HasPrefix(string(key), "PRIVATE+KEY+"+DefaultKeyName+"+") {
		t.Errorf("%s does not hold a signer key", KeyFile)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("dir holds %d files, want 2 (no temporary files left)", len(entries))
	}

	// What the signer signs, the verifier (and the published vkey) accepts.
	msg, err := note.Sign(&note.Note{Text: "hallcast.archive\n1\nAAAA\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	published, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []note.Verifier{verifier, published} {
		if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
			t.Errorf("note.Open: %v", err)
		}
	}

	t.Run("LoadKeepsKey", func(t *testing.T) {
		for _, name := range []string{"", DefaultKeyName} {
			s2, _, vkey2, err := LoadOrCreateKey(dir, name)
			if err != nil {
				t.Fatalf("load %q: %v", name, err)
			}
			if vkey2 != vkey || s2.KeyHash() != signer.KeyHash() {
				t.Errorf("load %q: vkey %q, want %q", name, vkey2, vkey)
			}
		}
		checkMode(t, filepath.Join(dir, KeyFile), 0o600)
	})
	t.Run("OtherName", func(t *testing.T) {
		if _, _, _, err := LoadOrCreateKey(dir, "other.archive"); err == nil {
			t.Error("load with another name succeeded, want error")
		}
	})
	t.Run("MissingPublicKeyIsRewritten", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, PublicKeyFile)); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := LoadOrCreateKey(dir, ""); err != nil {
			t.Fatal(err)
		}
		pub, err := os.ReadFile(filepath.Join(dir, PublicKeyFile))
		if err != nil || strings.TrimSpace(string(pub)) != vkey {
			t.Errorf("%s = %q (%v), want %q", PublicKeyFile, pub, err, vkey)
		}
	})
	t.Run("MismatchedPublicKey", func(t *testing.T) {
		_, other, err := note.GenerateKey(rand.Reader, DefaultKeyName)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, PublicKeyFile), []byte(other+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := LoadOrCreateKey(dir, ""); err == nil {
			t.Error("load with a foreign archive.pub succeeded, want error")
		}
	})
}

func TestLoadOrCreateKeyNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // created on first use
	signer, _, vkey, err := LoadOrCreateKey(dir, "hall.example.gov.cn")
	if err != nil {
		t.Fatal(err)
	}
	if signer.Name() != "hall.example.gov.cn" || !strings.HasPrefix(vkey, "hall.example.gov.cn+") {
		t.Errorf("name %q, vkey %q, want hall.example.gov.cn", signer.Name(), vkey)
	}
	checkMode(t, filepath.Join(dir, KeyFile), 0o600)
}

func TestLoadOrCreateKeyBadName(t *testing.T) {
	if _, _, _, err := LoadOrCreateKey(t.TempDir(), "has space"); err == nil {
		t.Error("a key name with a space was accepted, want error")
	}
}

func TestLoadOrCreateKeyCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadOrCreateKey(dir, ""); err == nil {
		t.Error("a corrupt key file was accepted, want error")
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode = %#o, want %#o", filepath.Base(path), got, want)
	}
}
