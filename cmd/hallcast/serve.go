package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/mod/sumdb/note"

	kioskui "github.com/hallcast/hallcast/kiosk-ui"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/demo"
	"github.com/hallcast/hallcast/server/disclosure"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/httpapi"
	"github.com/hallcast/hallcast/server/hub"
	"github.com/hallcast/hallcast/server/ingest"
	"github.com/hallcast/hallcast/server/manifest"
	"github.com/hallcast/hallcast/server/markdown"
	"github.com/hallcast/hallcast/server/sqlite"
)

// env returns the environment value of key, or def.
func env(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string, def bool) bool {
	if v := getenv(key); v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

// archiveOrigin names the log in its checkpoints.
const archiveOrigin = "hallcast archive"

// app is a running hallcast: the store and what is built on it.
type app struct {
	store    hall.Store
	log      *archive.Log
	desk     *disclosure.Service
	verifier archiveVerifier
	logger   *slog.Logger
}

type archiveVerifier struct {
	key      string
	Verifier note.Verifier
}

// openStore opens the store the --store flag names, in the data directory.
func openStore(ctx context.Context, kind, dataDir string) (hall.Store, error) {
	switch {
	case kind == "" || kind == "sqlite":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		return sqlite.Open(ctx, filepath.Join(dataDir, "hallcast.db"))
	case strings.HasPrefix(kind, "redis://"):
		return nil, errors.New("the Redis store is not built into this version yet: use --store sqlite")
	}
	return nil, fmt.Errorf("unknown store %q: want sqlite or redis://host:port/db", kind)
}

// openApp opens the store and the archive: the log checks, before anything
// is served, that the store's history is consistent with the head kept in
// the data directory (archive.HeadFileName) and with the store's own
// checkpoints. An inconsistent history is an alarm, not a failure to start:
// the server then serves what it holds but signs no new checkpoint.
func openApp(ctx context.Context, kind, dataDir string, logger *slog.Logger, reg prometheus.Registerer) (*app, error) {
	store, err := openStore(ctx, kind, dataDir)
	if err != nil {
		return nil, err
	}
	signer, verifier, vkey, err := archive.LoadOrCreateKey(dataDir, "hallcast.archive")
	if err != nil {
		store.Close()
		return nil, err
	}
	md := markdown.New()
	log, err := archive.Open(ctx, archive.Config{
		Store: store, Signer: signer, Verifier: verifier, Origin: archiveOrigin,
		HeadFile: filepath.Join(dataDir, archive.HeadFileName), Text: md.PlainText,
		Logger: logger, Registerer: reg,
		OnAlarm: func(al archive.Alarm) {
			e := &hall.AuditEntry{At: time.Now().UTC(), Actor: "system", Action: "archive alarm", Target: "archive", Detail: al.Problem}
			if err := store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
				logger.Error("record archive alarm in the audit log", "err", err)
			}
		},
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	a := &app{store: store, log: log, logger: logger, verifier: archiveVerifier{key: vkey, Verifier: verifier}}
	a.desk = &disclosure.Service{Store: store, Renderer: md, Archive: log, Now: time.Now, Logger: logger}
	return a, nil
}

// screenSource is the store as the manifest builder reads it: which
// revision of an item is live comes from the archive's entries, not from
// the editable item rows.
type screenSource struct {
	hall.Store
	log *archive.Log
}

// Item returns the item as its archive entries define it; an item withheld
// from the public for an archive problem is not found.
func (s screenSource) Item(ctx context.Context, id string) (*hall.Item, error) {
	it, err := s.log.PublicItem(ctx, id)
	if errors.Is(err, archive.ErrWithheld) {
		return nil, hall.NotFound("published item", id)
	}
	return it, err
}

// ListItems lists public items from the archive, others from the store.
func (s screenSource) ListItems(ctx context.Context, f hall.ItemFilter) ([]*hall.Item, error) {
	if f.Public {
		return s.log.PublicItems(ctx, f)
	}
	return s.Store.ListItems(ctx, f)
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env(getenv, "HALLCAST_ADDR", ":8080"), "listen address (HALLCAST_ADDR)")
	dataDir := fs.String("data", env(getenv, "HALLCAST_DATA", "./data"), "data directory (HALLCAST_DATA)")
	storeKind := fs.String("store", env(getenv, "HALLCAST_STORE", "sqlite"), "sqlite or redis://host:port/db (HALLCAST_STORE)")
	withDemo := fs.Bool("demo", envBool(getenv, "HALLCAST_DEMO", true), "seed demo content on first start (HALLCAST_DEMO)")
	publicURL := fs.String("public-url", getenv("HALLCAST_PUBLIC_URL"), "address phones reach the server at, for QR codes (HALLCAST_PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", getenv("HALLCAST_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted (HALLCAST_TRUSTED_PROXIES)")
	debugAddr := fs.String("debug-addr", getenv("HALLCAST_DEBUG_ADDR"), "serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; keep it private (HALLCAST_DEBUG_ADDR)")
	logLevel := fs.String("log-level", env(getenv, "HALLCAST_LOG_LEVEL", "info"), "debug, info, warn or error (HALLCAST_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var trusted []*net.IPNet
	for _, cidr := range strings.Split(*proxies, ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %w", err)
		}
		trusted = append(trusted, n)
	}
	if *publicURL != "" && !strings.HasPrefix(*publicURL, "http://") && !strings.HasPrefix(*publicURL, "https://") {
		return fmt.Errorf("--public-url: want http:// or https://")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	a, err := openApp(ctx, *storeKind, *dataDir, logger, reg)
	if err != nil {
		return err
	}
	defer a.store.Close()

	firstPassword, err := a.firstStart(ctx, getenv, *withDemo)
	if err != nil {
		return err
	}
	if _, err := a.log.Checkpoint(ctx); err != nil {
		// Logged as an alarm when the history is inconsistent; the server
		// serves on without signing (see /readyz).
		logger.Error("archive checkpoint", "err", err)
	}

	// The push path: manifests, the event ingester, the websocket hub.
	manifests := manifest.New(screenSource{Store: a.store, log: a.log}, time.Now)
	events := ingest.New(ingest.Config{Store: a.store, Flagger: ingest.NewMisuseFlagger(), Registerer: reg, Logger: logger})
	screens := hub.New(hub.Config{Screens: a.store, Manifests: manifests, Events: events, Registerer: reg, Logger: logger, Now: time.Now})
	a.desk.Notify = func(disclosure.Change) { screens.Notify() }

	api, err := httpapi.New(httpapi.Deps{
		Store: a.store, Desk: a.desk, Archive: a.log, Verifier: a.verifier.Verifier, ArchiveKey: a.verifier.key,
		Origin: archiveOrigin, Calendar: httpapi.NewCalendar(a.store, time.Now), Hasher: auth.Production(),
		Logger: logger, Registry: reg, Gatherer: reg, UI: kioskui.FS(), Now: time.Now,
		Hub: screens, Timelines: manifests, Events: events, MediaDir: filepath.Join(*dataDir, "media"),
		PublicURL: *publicURL, TrustedProxies: trusted,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "hallcast %s listening on %s\n", version, base)
	fmt.Fprintf(stdout, "  console: %s/admin\n  kiosk:   %s/kiosk\n  player:  %s/player\n", base, base, base)
	if firstPassword != "" {
		fmt.Fprintf(stdout, "  first start: user \"admin\", password %s (shown once; change it: POST /api/v1/session/password)\n", firstPassword)
	}
	fmt.Fprintf(stdout, "  archive key: %s\n", a.verifier.key)

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var workers sync.WaitGroup
	workers.Go(func() { a.sweep(bg) })
	workers.Go(func() { screens.Run(bg) })
	ingestCtx, stopIngest := context.WithCancel(context.WithoutCancel(ctx))
	ingestDone := make(chan struct{})
	go func() { defer close(ingestDone); events.Run(ingestCtx) }()
	// stop shuts down in order: no new requests, then the screens'
	// connections, then the background jobs, then the event ingester (which
	// commits what it holds), then the store (deferred above).
	stop := func() {
		screens.Close()
		stopBG()
		workers.Wait()
		stopIngest()
		<-ingestDone
	}

	if *debugAddr != "" {
		dbg, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		dsrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go dsrv.Serve(dbg)
		defer dsrv.Close()
		fmt.Fprintf(stdout, "  profiles: http://%s/debug/pprof/\n", dbg.Addr())
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stop()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	// Websocket connections are hijacked: Shutdown does not wait for them,
	// the hub closes them next.
	err = srv.Shutdown(shutdownCtx)
	stop()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// firstStart creates the admin account on an empty store and seeds the demo
// content. It returns the generated password, if it made one.
func (a *app) firstStart(ctx context.Context, getenv func(string) string, withDemo bool) (string, error) {
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	password, generated := getenv("HALLCAST_ADMIN_PASSWORD"), false
	if password == "" {
		password, generated = auth.NewSecret("")[:20], true
	}
	admin, err := httpapi.NewUser(auth.Production(), "admin", password, hall.RoleAdmin, nil, time.Now())
	if err != nil {
		return "", fmt.Errorf("HALLCAST_ADMIN_PASSWORD: %w", err)
	}
	if err := a.store.CreateUser(ctx, admin); err != nil {
		return "", err
	}
	_ = a.store.AppendAudit(ctx, &hall.AuditEntry{At: time.Now().UTC(), Actor: "system", Action: "create first admin", Target: admin.Username})
	a.logger.Info("created the first admin account", "username", "admin")
	if withDemo {
		halls, err := a.store.ListHalls(ctx)
		if err != nil {
			return "", err
		}
		if len(halls) == 0 {
			res, err := demo.Seed(ctx, a.store, a.desk, admin)
			if err != nil {
				return "", fmt.Errorf("seed demo content: %w", err)
			}
			a.logger.Info("seeded demo content", "hall", res.HallID)
		}
	}
	if generated {
		return password, nil
	}
	return "", nil
}

// sweep runs the periodic jobs until ctx ends: recording expired items in
// the archive, comparing the item rows with the archive every few minutes,
// and dropping expired sessions and pairings.
func (a *app) sweep(ctx context.Context) {
	const rowsEvery = 10 // sweeps: about five minutes
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for round := 0; ; round++ {
		if n, err := a.desk.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("expire items", "err", err)
		} else if n > 0 {
			a.logger.Info("recorded expired items", "count", n)
		}
		if round%rowsEvery == 0 {
			// Mismatches are raised as alarms by the log itself.
			if _, err := a.log.CheckRows(ctx, a.store, 100); err != nil && ctx.Err() == nil {
				a.logger.Error("compare item rows with the archive", "err", err)
			}
		}
		if _, err := a.store.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.logger.Error("delete expired sessions", "err", err)
		}
		// Expired pairings go, with any token a screen never collected.
		if _, err := a.store.DeleteExpiredPairings(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.logger.Error("delete expired pairings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
