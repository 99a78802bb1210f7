package archive

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Key files in the data directory and the default key name.
const (
	KeyFile        = "archive.key" // the signer key, mode 0600
	PublicKeyFile  = "archive.pub" // the verifier key, for witnesses
	DefaultKeyName = "hallcast.archive"
)

// LoadOrCreateKey loads the checkpoint signing key from dir, creating a new
// Ed25519 key pair named name on first use. An empty name means
// DefaultKeyName when creating and any name when loading; a non-empty name
// must match the stored key's. archive.pub is rewritten when missing and
// must otherwise match archive.key. It returns the signer, its verifier and
// the verifier key text ("<name>+<hash>+<key>") to publish.
func LoadOrCreateKey(dir, name string) (note.Signer, note.Verifier, string, error) {
	path := filepath.Join(dir, KeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = createKey(dir, path, name)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("archive key: %w", err)
	}
	skey := strings.TrimSpace(string(data))
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("archive key %s: %w", path, err)
	}
	if name != "" && signer.Name() != name {
		return nil, nil, "", fmt.Errorf("archive key %s is named %q, want %q", path, signer.Name(), name)
	}
	vkey, err := verifierKey(skey, signer)
	if err != nil {
		return nil, nil, "", fmt.Errorf("archive key %s: %w", path, err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, "", fmt.Errorf("archive key %s: %w", path, err)
	}
	if err := ensurePublicKey(dir, vkey); err != nil {
		return nil, nil, "", fmt.Errorf("archive key: %w", err)
	}
	return signer, verifier, vkey, nil
}

// createKey generates a key and links it into place only if no key is there
// yet, so replicas starting together on a shared volume end up with one key.
// It returns the contents of the key file that won.
func createKey(dir, path, name string) ([]byte, error) {
	if name == "" {
		name = DefaultKeyName
	}
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, fmt.Errorf("generate key %q: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	tmp, err := writeTemp(dir, KeyFile, []byte(skey+"\n")) // CreateTemp makes it 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("install %s: %w", path, err)
	}
	return os.ReadFile(path)
}

// verifierKey derives the verifier key from the signer key, whose key data
// is the algorithm byte and the Ed25519 seed.
func verifierKey(skey string, signer note.Signer) (string, error) {
	// "PRIVATE+KEY+<name>+<hash>+<data>": only the base64 data may hold '+'.
	fields := strings.SplitN(skey, "+", 5)
	if len(fields) != 5 {
		return "", fmt.Errorf("not a signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(fields[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", fmt.Errorf("not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return "", err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", err
	}
	if v.KeyHash() != signer.KeyHash() {
		return "", fmt.Errorf("signer key hash %08x does not match its key data", signer.KeyHash())
	}
	return vkey, nil
}

// ensurePublicKey writes archive.pub when it is missing and checks it when
// it is there.
func ensurePublicKey(dir, vkey string) error {
	path := filepath.Join(dir, PublicKeyFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if got := strings.TrimSpace(string(data)); got != vkey {
			return fmt.Errorf("%s holds %q, which is not the public key of %s (%q)", path, got, KeyFile, vkey)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	tmp, err := writeTemp(dir, PublicKeyFile, []byte(vkey+"\n"))
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a new mode 0600 file in dir and returns its path.
func writeTemp(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}
