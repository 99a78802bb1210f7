package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/redisstore"
	"github.com/hallcast/hallcast/server/sqlite"
)

// storeConfig is where a deployment keeps its data: the data directory
// (the SQLite database, the archive signing key, media by default) and the
// store. Every command that opens a deployment takes the same flags.
type storeConfig struct {
	dataDir       string
	store         string // "sqlite", or a redis://, rediss://, redis+cluster:// URL
	redisPrefix   string
	allowVolatile bool
	envErr        error

	// SQLite only: a database with data is backed up into backupDir
	// (<data>/backups when empty) before migrations change it, with the
	// media in mediaDir (<data>/media when empty); noAutoBackup skips
	// that, for a copy being checked.
	backupDir, mediaDir string
	noAutoBackup        bool
}

// storeFlags registers --data, --store, --redis-prefix and
// --redis-allow-volatile, with their environment variables.
func storeFlags(fs *flag.FlagSet, getenv func(string) string) *storeConfig {
	c := &storeConfig{}
	fs.StringVar(&c.dataDir, "data", env(getenv, "HALLCAST_DATA", "./data"), "data directory: SQLite database, archive signing key, media (HALLCAST_DATA)")
	fs.StringVar(&c.store, "store", env(getenv, "HALLCAST_STORE", "sqlite"), "sqlite, redis://host:6379/0, or redis+cluster://host:7000?addr=host:7001&addr=… for a Redis Cluster (HALLCAST_STORE)")
	fs.StringVar(&c.redisPrefix, "redis-prefix", env(getenv, "HALLCAST_REDIS_PREFIX", redisstore.DefaultPrefix), "prefix of every Redis key, so deployments can share a Redis (HALLCAST_REDIS_PREFIX)")
	volatile, err := envBool(getenv, "HALLCAST_REDIS_ALLOW_VOLATILE", false)
	c.envErr = err
	fs.BoolVar(&c.allowVolatile, "redis-allow-volatile", volatile, "start on a Redis without an append-only file, which loses acknowledged events if Redis restarts (HALLCAST_REDIS_ALLOW_VOLATILE)")
	return c
}

// isRedis reports whether the store is a Redis URL.
func (c *storeConfig) isRedis() bool {
	for _, scheme := range []string{"redis://", "rediss://", "redis+cluster://", "rediss+cluster://"} {
		if strings.HasPrefix(c.store, scheme) {
			return true
		}
	}
	return false
}

// open opens the store the flags name.
func (c *storeConfig) open(ctx context.Context, logger *slog.Logger) (hall.Store, error) {
	if c.envErr != nil {
		return nil, c.envErr
	}
	switch {
	case c.store == "" || c.store == "sqlite":
		if err := os.MkdirAll(c.dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		if err := preMigrationBackup(ctx, c, logger); err != nil {
			return nil, err
		}
		return sqlite.Open(ctx, filepath.Join(c.dataDir, "hallcast.db"))
	case c.isRedis():
		if err := os.MkdirAll(c.dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		return redisstore.Open(ctx, redisstore.Options{URL: c.store, Prefix: c.redisPrefix, AllowVolatile: c.allowVolatile, Logger: logger})
	}
	return nil, errors.New(`unknown store: want sqlite, redis://host:port/db or redis+cluster://host:port?addr=host:port`)
}
