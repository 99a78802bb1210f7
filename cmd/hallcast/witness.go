package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/archive"
)

// witnessState is what `hallcast archive witness` keeps between runs: the
// key and log it trusts and the last signed head it accepted.
type witnessState struct {
	URL        string    `json:"url"`
	Key        string    `json:"key"`
	Origin     string    `json:"origin"`
	Size       int64     `json:"size"`
	Root       string    `json:"root"`
	Checkpoint string    `json:"checkpoint"`
	CheckedAt  time.Time `json:"checked_at"`
}

// errInconsistent marks a witness failure that is evidence against the
// server (as opposed to a network or usage problem).
var errInconsistent = errors.New("archive history is INCONSISTENT")

// archiveWitness fetches a hall's current checkpoint, checks its signature
// and a consistency proof from the head remembered in the state file, and
// remembers the new head. It exits non-zero, leaving the state file as it
// was, on a bad signature or an inconsistent history, and reports it to the
// server (POST /api/v1/archive/alarm) so staff see it.
func archiveWitness(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive witness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", getenv("HALLCAST_WITNESS_URL"), "the hall's server, e.g. https://hall.example.gov.cn (HALLCAST_WITNESS_URL)")
	statePath := fs.String("state", getenv("HALLCAST_WITNESS_STATE"), "file keeping the trusted key and the last head seen (HALLCAST_WITNESS_STATE)")
	keyFlag := fs.String("key", getenv("HALLCAST_WITNESS_KEY"), "the archive's verifier key (archive.pub); without it the key in the state file, or on first use the server's (HALLCAST_WITNESS_KEY)")
	originFlag := fs.String("origin", "", "the log's name on its checkpoints; default: the state file's, or on first use the checkpoint's")
	report := fs.Bool("report", true, "report an inconsistency to the server's alarm endpoint")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for each request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *base == "" || *statePath == "" {
		return errors.New("archive witness: --url and --state are required")
	}
	u, err := url.Parse(*base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("archive witness: --url %q: want http(s)://host", *base)
	}
	w := &witness{base: strings.TrimRight(*base, "/"), client: &http.Client{Timeout: *timeout}}

	state, err := loadWitnessState(*statePath)
	if err != nil {
		return err
	}
	first := state == nil
	if first {
		state = &witnessState{URL: w.base}
	}

	// The key: given, remembered, or (first use only) the server's own.
	key := strings.TrimSpace(*keyFlag)
	switch {
	case key != "" && state.Key != "" && key != state.Key:
		return fmt.Errorf("archive witness: --key %q is not the key %s trusts (%q); a new key is a new log: start a new state file if that is intended", key, *statePath, state.Key)
	case key == "" && state.Key != "":
		key = state.Key
	case key == "":
		if key, err = w.getText(ctx, "/api/v1/archive/key"); err != nil {
			return err
		}
		key = strings.TrimSpace(key)
		fmt.Fprintf(stdout, "trusting the archive key %s on first use: compare it with the key the hall publishes (its archive.pub)\n", key)
	}
	verifier, err := note.NewVerifier(key)
	if err != nil {
		return fmt.Errorf("archive witness: key %q: %w", key, err)
	}

	msg, err := w.getText(ctx, "/api/v1/archive/checkpoint")
	if err != nil {
		return fmt.Errorf("%w (a server that finds its history inconsistent refuses to sign: see its /readyz)", err)
	}
	origin := *originFlag
	switch {
	case origin != "" && state.Origin != "" && origin != state.Origin:
		return fmt.Errorf("archive witness: --origin %q is not the log %s follows (%q)", origin, *statePath, state.Origin)
	case origin == "":
		origin = state.Origin
	}
	if origin == "" {
		origin, _, _ = strings.Cut(msg, "\n")
	}
	next, err := archive.OpenHead(msg, verifier, origin)
	if err != nil {
		w.alarm(ctx, *report, stderr, "signature", state.Checkpoint, msg, err.Error())
		return fmt.Errorf("%w: the checkpoint served is not signed by the trusted key for log %q: %v", errInconsistent, origin, err)
	}

	if !first && state.Checkpoint != "" {
		prev, err := archive.OpenHead(state.Checkpoint, verifier, origin)
		if err != nil {
			return fmt.Errorf("archive witness: the head in %s does not verify: %w", *statePath, err)
		}
		var proof tlog.TreeProof
		if prev.Size > 0 && next.Size > prev.Size {
			if proof, err = w.consistency(ctx, prev.Size, next.Size); err != nil {
				return err
			}
		}
		if err := archive.CheckExtends(prev, next, proof); err != nil {
			problem := "consistency"
			switch {
			case next.Size < prev.Size:
				problem = "rollback"
			case next.Size == prev.Size:
				problem = "fork"
			}
			w.alarm(ctx, *report, stderr, problem, state.Checkpoint, msg, err.Error())
			return fmt.Errorf("%w: %v\nthe head remembered in %s:\n%s\nthe head served now:\n%s", errInconsistent, err, *statePath, state.Checkpoint, msg)
		}
		fmt.Fprintf(stdout, "archive consistent: %d entries (%d new since %s), root %s\n",
			next.Size, next.Size-prev.Size, state.CheckedAt.Format(time.RFC3339), next.Root)
	} else {
		fmt.Fprintf(stdout, "archive head remembered: %d entries, root %s\n", next.Size, next.Root)
	}

	state.Key, state.Origin = key, origin
	state.Size, state.Root, state.Checkpoint, state.CheckedAt = next.Size, next.Root.String(), next.Note, time.Now().UTC()
	return saveWitnessState(*statePath, state)
}

// witness talks to one hall's server.
type witness struct {
	base   string
	client *http.Client
}

const maxWitnessBody = 1 << 20

func (w *witness) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("archive witness: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxWitnessBody))
	if err != nil {
		return nil, fmt.Errorf("archive witness: GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("archive witness: GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(body))
	}
	return body, nil
}

func (w *witness) getText(ctx context.Context, path string) (string, error) {
	b, err := w.get(ctx, path)
	return string(b), err
}

// consistency fetches and decodes the consistency proof from one size to
// another.
func (w *witness) consistency(ctx context.Context, from, to int64) (tlog.TreeProof, error) {
	body, err := w.get(ctx, "/api/v1/archive/consistency?from="+strconv.FormatInt(from, 10)+"&to="+strconv.FormatInt(to, 10))
	if err != nil {
		return nil, err
	}
	var v struct {
		From, To int64
		Proof    []string
	}
	if err := json.Unmarshal(body, &v); err != nil || v.From != from || v.To != to {
		return nil, fmt.Errorf("%w: the consistency proof from %d to %d is malformed: %s", errInconsistent, from, to, body)
	}
	proof := make(tlog.TreeProof, len(v.Proof))
	for i, s := range v.Proof {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("%w: the consistency proof from %d to %d holds a malformed hash %q", errInconsistent, from, to, s)
		}
		proof[i] = tlog.Hash(b)
	}
	return proof, nil
}

// alarm reports a broken history to the server, best effort.
func (w *witness) alarm(ctx context.Context, enabled bool, stderr io.Writer, problem, seen, got, detail string) {
	if !enabled {
		return
	}
	body, _ := json.Marshal(archive.DeviceReport{Problem: problem, Seen: seen, Got: got, Device: "witness", Detail: truncate(detail, 500)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base+"/api/v1/archive/alarm", bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "archive witness: could not report the alarm:", err)
		return
	}
	resp.Body.Close()
	fmt.Fprintln(stderr, "archive witness: reported to the server:", resp.Status)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// loadWitnessState reads the state file; nil when it does not exist yet.
func loadWitnessState(path string) (*witnessState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("archive witness: %w", err)
	}
	var s witnessState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("archive witness: state file %s: %w", path, err)
	}
	return &s, nil
}

// saveWitnessState replaces the state file atomically.
func saveWitnessState(path string, s *witnessState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".witness-*")
	if err != nil {
		return fmt.Errorf("archive witness: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("archive witness: save %s: %w", path, err)
	}
	return nil
}
