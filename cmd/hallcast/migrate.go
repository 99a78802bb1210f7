package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/redisstore"
	"github.com/hallcast/hallcast/server/sqlite"
	"github.com/hallcast/hallcast/server/storecopy"
)

// keyFiles are what a data directory keeps beside the database that the
// archive needs: the signing key, its public half and the signed head.
var keyFiles = []string{archive.KeyFile, archive.PublicKeyFile, archive.HeadFileName}

// migrateStore is one end of a migration.
type migrateStore interface {
	hall.Store
	hall.Dumper
	hall.Loader
}

// migrate copies a whole deployment from one store into an empty one, then
// verifies the archive on the target.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the store to copy: a data directory (SQLite) or a redis://, redis+cluster:// URL")
	to := fs.String("to", "", "the empty store to fill: a data directory (SQLite) or a redis://, redis+cluster:// URL")
	fromPrefix := fs.String("from-prefix", redisstore.DefaultPrefix, "key prefix of a Redis --from")
	toPrefix := fs.String("to-prefix", redisstore.DefaultPrefix, "key prefix of a Redis --to")
	keyDir := fs.String("key-dir", "", "directory of the archive key (archive.key) when --from is Redis (default: --data, HALLCAST_DATA, ./data)")
	mediaDir := fs.String("media-dir", "", "the source's media directory (default: media in the --from data directory, or in --key-dir)")
	volatile := fs.Bool("redis-allow-volatile", false, "fill a Redis --to that runs without an append-only file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("migrate: --from and --to are both required")
	}
	src := &storeConfig{store: *from, redisPrefix: *fromPrefix}
	dst := &storeConfig{store: *to, redisPrefix: *toPrefix, allowVolatile: *volatile}
	if src.isRedis() == dst.isRedis() && *from == *to && *fromPrefix == *toPrefix {
		return errors.New("migrate: --from and --to name the same store")
	}
	if *keyDir == "" {
		*keyDir = env(getenv, "HALLCAST_DATA", "./data")
		if !src.isRedis() {
			*keyDir = *from
		}
	}
	if *mediaDir == "" {
		*mediaDir = filepath.Join(*keyDir, "media")
	}
	if _, err := os.Stat(filepath.Join(*keyDir, archive.KeyFile)); err != nil {
		return fmt.Errorf("migrate: no archive key in %s (%v): name the directory holding archive.key with --key-dir", *keyDir, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	source, err := openMigrateStore(ctx, src, true, logger)
	if err != nil {
		return fmt.Errorf("migrate: open --from: %w", err)
	}
	defer source.Close()
	if !dst.isRedis() {
		if err := checkKeyFiles(*keyDir, *to); err != nil {
			return err
		}
	}
	target, err := openMigrateStore(ctx, dst, false, logger)
	if err != nil {
		return fmt.Errorf("migrate: open --to: %w", err)
	}
	defer target.Close()
	if err := target.CheckEmpty(ctx); err != nil {
		return fmt.Errorf("migrate: refused, nothing was written: %w", err)
	}

	start := time.Now()
	fmt.Fprintf(stdout, "copying %s → %s\n", describe(src), describe(dst))
	counts, err := storecopy.Copy(ctx, source, target, func(kind string, done int) {
		if done%50000 == 0 {
			fmt.Fprintf(stderr, "  %s: %d…\n", kind, done)
		}
	})
	if err != nil {
		return fmt.Errorf("migrate: %w (the target holds part of the copy: empty it before trying again)", err)
	}
	for _, kind := range hall.DumpKinds {
		fmt.Fprintf(stdout, "  %-12s %d\n", kind, counts[kind])
	}
	fmt.Fprintf(stdout, "copied %d records in %s (sessions are not copied: staff sign in again)\n",
		counts.Total(), time.Since(start).Round(time.Millisecond))

	verifyDir := *keyDir
	if !dst.isRedis() {
		n, err := copyFiles(*keyDir, *to, keyFiles)
		if err != nil {
			return fmt.Errorf("migrate: copy the archive key: %w", err)
		}
		fmt.Fprintf(stdout, "archive key: %d files copied from %s to %s\n", n, *keyDir, *to)
		verifyDir = *to
	} else {
		fmt.Fprintf(stdout, "archive key: keep %s (archive.key, archive.pub, %s) and serve with --data %s (or copy those files into the servers' --data)\n",
			*keyDir, archive.HeadFileName, *keyDir)
	}
	switch files, err := mediaFiles(*mediaDir); {
	case err != nil:
		return fmt.Errorf("migrate: media: %w", err)
	case len(files) == 0:
		fmt.Fprintf(stdout, "media: no files in %s\n", *mediaDir)
	case !dst.isRedis():
		n, err := copyFiles(*mediaDir, filepath.Join(*to, "media"), files)
		if err != nil {
			return fmt.Errorf("migrate: copy media: %w", err)
		}
		fmt.Fprintf(stdout, "media: %d files copied from %s to %s\n", n, *mediaDir, filepath.Join(*to, "media"))
	default:
		fmt.Fprintf(stdout, "media: copy the %d files of %s into the directory the servers get as --media-dir\n", len(files), *mediaDir)
	}
	return verifyStoreArchive(ctx, target, verifyDir, stdout)
}

// openMigrateStore opens one end: a source SQLite read-only, a target
// SQLite created; Redis as storeConfig does (a source without AOF is
// fine, it is only read).
func openMigrateStore(ctx context.Context, c *storeConfig, source bool, logger *slog.Logger) (migrateStore, error) {
	if c.isRedis() {
		return redisstore.Open(ctx, redisstore.Options{URL: c.store, Prefix: c.redisPrefix,
			AllowVolatile: c.allowVolatile || source, Logger: logger})
	}
	path := filepath.Join(c.store, "hallcast.db")
	if source {
		return sqlite.OpenReadOnly(ctx, path)
	}
	if err := os.MkdirAll(c.store, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	return sqlite.Open(ctx, path)
}

func describe(c *storeConfig) string {
	if c.isRedis() {
		return fmt.Sprintf("%s (prefix %q)", redactedURL(c.store), c.redisPrefix)
	}
	return "SQLite in " + c.store
}

// redactedURL hides a URL's password.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// checkKeyFiles refuses a target directory whose archive key files differ
// from the source's: the copied checkpoints would not verify with them.
func checkKeyFiles(from, to string) error {
	for _, name := range keyFiles {
		have, err := os.ReadFile(filepath.Join(to, name))
		if errors.Is(err, iofs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		want, err := os.ReadFile(filepath.Join(from, name))
		if err != nil || !bytes.Equal(have, want) {
			return fmt.Errorf("migrate: refused, nothing was written: %s already holds a different %s", to, name)
		}
	}
	return nil
}

// mediaFiles lists the regular files of a media directory (none when it
// does not exist).
func mediaFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, iofs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// copyFiles copies the named files that exist in from and not yet in to,
// keeping their modes, and returns how many it copied.
func copyFiles(from, to string, names []string) (int, error) {
	if err := os.MkdirAll(to, 0o750); err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		info, err := os.Stat(filepath.Join(from, name))
		if errors.Is(err, iofs.ErrNotExist) {
			continue
		}
		if err != nil {
			return n, err
		}
		if _, err := os.Stat(filepath.Join(to, name)); err == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(filepath.Join(to, name), data, info.Mode().Perm()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
