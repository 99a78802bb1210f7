package redisstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hallcast/hallcast/server/sqlite"
	"github.com/hallcast/hallcast/server/storetest"
)

func newSQLite(t *testing.T) storetest.DumpStore {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "hallcast.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestDumpLoad(t *testing.T) {
	url := standaloneURL(t)
	newRedis := func(t *testing.T) storetest.DumpStore { return openTest(t, url, "") }
	t.Run("SQLiteToRedis", func(t *testing.T) { storetest.RunDumpLoad(t, newSQLite, newRedis) })
	t.Run("RedisToSQLite", func(t *testing.T) { storetest.RunDumpLoad(t, newRedis, newSQLite) })
}

func TestDumpLoadCluster(t *testing.T) {
	url := clusterURL(t)
	newCluster := func(t *testing.T) storetest.DumpStore { return openTest(t, url, "") }
	storetest.RunDumpLoad(t, newSQLite, newCluster)
	t.Run("ClusterToSQLite", func(t *testing.T) { storetest.RunDumpLoad(t, newCluster, newSQLite) })
}
