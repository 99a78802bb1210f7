package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/hallcast/hallcast/server/accounts"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	username := fs.String("username", "", "the new user's name")
	role := fs.String("role", "", "admin, editor, reviewer or auditor")
	depts := fs.String("departments", "", "comma-separated department keys (editors)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := getenv("HALLCAST_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: set HALLCAST_PASSWORD or type one")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	var departments []string
	if *depts != "" {
		departments = strings.Split(*depts, ",")
	}
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer a.store.Close()
	u, err := a.svc.Accounts.CreateUser(ctx, accounts.System("cli"),
		accounts.UserInput{Username: *username, Password: password, Role: hall.Role(*role), Departments: departments})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added user %s (%s)\n", u.Username, u.Role)
	return nil
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	username := fs.String("user", "", "the user the token acts as")
	name := fs.String("name", "cli", "what the token is for")
	days := fs.Int("days", 365, "how many days the token lasts (1 to 1095)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer a.store.Close()
	secret, _, err := a.svc.Accounts.CreateTokenFor(ctx, accounts.System("cli"), *username,
		accounts.TokenInput{Name: *name, TTL: time.Duration(*days) * 24 * time.Hour})
	if err != nil {
		return fmt.Errorf("user %q: %w", *username, err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

// archiveVerify recomputes the archive from the stored entries and checks
// it against every signed checkpoint, the head file beside the key, and the
// items' rows; it fails naming the first bad entry or row.
func archiveVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return verifyArchive(ctx, where, stdout, stderr)
}

// verifyArchive is archive verify on the deployment where names.
func verifyArchive(ctx context.Context, where *storeConfig, stdout, stderr io.Writer) error {
	store, err := where.open(ctx, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	defer store.Close()
	return verifyStoreArchive(ctx, store, where.dataDir, stdout)
}

// verifyStoreArchive checks the store's archive against the signed checkpoints
// (and the head file) of the key in keyDir, and prints the result.
func verifyStoreArchive(ctx context.Context, store hall.Store, keyDir string, stdout io.Writer) error {
	_, verifier, _, err := archive.LoadOrCreateKey(keyDir, "hallcast.archive")
	if err != nil {
		return err
	}
	head, err := readHeadFile(filepath.Join(keyDir, archive.HeadFileName), verifier)
	if err != nil {
		return err
	}
	rep, err := archive.Verify(ctx, withHead{Store: store, head: head}, verifier, archiveOrigin)
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("archive does NOT verify: %s", rep.Problem)
	}
	fmt.Fprintf(stdout, "archive verifies: %d entries, root %s, %d signed checkpoints checked, %d items agree with their entries\n",
		rep.Entries, rep.Root, rep.CheckedCheckpoints, rep.Items)
	return nil
}

// readHeadFile returns the head the server keeps beside its key as a
// checkpoint, or nil when there is none.
func readHeadFile(path string, verifier note.Verifier) (*hall.Checkpoint, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h, err := archive.OpenHead(string(data), verifier, archiveOrigin)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &hall.Checkpoint{Size: h.Size, Root: h.Root.String(), Note: h.Note}, nil
}

// withHead is the store with the data directory's head file among its
// checkpoints: whoever deleted the store's checkpoints did not delete this
// one, so verify checks the entries against it too.
type withHead struct {
	hall.Store
	head *hall.Checkpoint
}

func (s withHead) Checkpoints(ctx context.Context) ([]*hall.Checkpoint, error) {
	cps, err := s.Store.Checkpoints(ctx)
	if err != nil || s.head == nil {
		return cps, err
	}
	for _, c := range cps {
		if c.Size == s.head.Size {
			if c.Note != s.head.Note {
				// Both are checked; a second note of the same size shows
				// up as a problem with whichever does not fit.
				return append(cps, s.head), nil
			}
			return cps, nil
		}
	}
	return append(cps, s.head), nil
}

// healthcheck asks a running server for /healthz: the container image has
// no curl, so the binary checks itself.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "health URL")
	caFile := fs.String("ca", "", "trust this CA certificate (PEM) for an https URL, e.g. the ca.crt of hallcast tls init")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := http.DefaultClient
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("--ca %s: no PEM certificate", *caFile)
		}
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", *url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
