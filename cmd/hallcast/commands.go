package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

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
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)))
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
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)))
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
// it against every signed checkpoint; it fails naming the first bad entry.
func archiveVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	defer a.store.Close()
	rep, err := archive.Verify(ctx, a.store, a.verifier.Verifier, archiveOrigin)
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("archive does NOT verify: %s", rep.Problem)
	}
	fmt.Fprintf(stdout, "archive verifies: %d entries, root %s, %d signed checkpoints checked\n", rep.Entries, rep.Root, rep.CheckedCheckpoints)
	return nil
}

// healthcheck asks a running server for /healthz: the container image has
// no curl, so the binary checks itself.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "health URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
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
