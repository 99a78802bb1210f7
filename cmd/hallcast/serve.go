package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/mod/sumdb/note"

	kioskui "github.com/hallcast/hallcast/kiosk-ui"
	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/auth"
	"github.com/hallcast/hallcast/server/connlimit"
	"github.com/hallcast/hallcast/server/dashboard"
	"github.com/hallcast/hallcast/server/demo"
	"github.com/hallcast/hallcast/server/feedback"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/httpapi"
	"github.com/hallcast/hallcast/server/hub"
	"github.com/hallcast/hallcast/server/ingest"
	"github.com/hallcast/hallcast/server/markdown"
	"github.com/hallcast/hallcast/server/redisstore"
	"github.com/hallcast/hallcast/server/sniff"
)

// env returns the environment value of key, or def.
func env(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// envBool reads a boolean variable strictly: true/false, 1/0, yes/no or
// on/off (any case); any other value is an error naming the variable, so a
// typo never silently keeps the default.
func envBool(getenv func(string) string, key string, def bool) (bool, error) {
	v := strings.ToLower(strings.TrimSpace(getenv(key)))
	switch v {
	case "":
		return def, nil
	case "1", "t", "true", "yes", "y", "on":
		return true, nil
	case "0", "f", "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: want true or false (or yes/no, on/off, 1/0)", key, getenv(key))
}

// envParsed reads the environment value of key with parse, or returns def
// when it is unset; a value that does not parse is recorded in errs, so the
// command can refuse it after parsing its flags.
func envParsed[T any](getenv func(string) string, key string, def T, parse func(string) (T, error), errs *[]error) T {
	v := getenv(key)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s=%q: %w", key, v, err))
		return def
	}
	return x
}

// archiveOrigin names the log in its checkpoints.
const archiveOrigin = "hallcast archive"

// deployment is an open hallcast: the store, its archive and the services
// built on them.
type deployment struct {
	store    hall.Store
	log      *archive.Log
	svc      *app.Services
	verifier archiveVerifier
	logger   *slog.Logger
}

type archiveVerifier struct {
	key      string
	Verifier note.Verifier
}

// open opens the store, the archive and the services on them; adjust, if
// given, tunes the services' configuration. The log checks, before anything
// is served, that the store's history is consistent with the head kept in
// the data directory (archive.HeadFileName) and with the store's own
// checkpoints. An inconsistent history is an alarm, not a failure to start:
// the server then serves what it holds but signs no new checkpoint. reg,
// when not nil, gets the archive's metrics.
func open(ctx context.Context, sc *storeConfig, logger *slog.Logger, reg prometheus.Registerer, adjust ...func(*app.Config)) (*deployment, error) {
	dataDir := sc.dataDir
	store, err := sc.open(ctx, logger)
	if err != nil {
		return nil, err
	}
	signer, verifier, vkey, err := archive.LoadOrCreateKey(dataDir, "hallcast.archive")
	if err != nil {
		store.Close()
		return nil, err
	}
	log, err := archive.Open(ctx, archive.Config{
		Store: store, Signer: signer, Verifier: verifier, Origin: archiveOrigin,
		HeadFile: filepath.Join(dataDir, archive.HeadFileName), Text: markdown.New().PlainText,
		Logger: logger, Registerer: reg,
		OnAlarm: func(al archive.Alarm) {
			e := &hall.AuditEntry{At: time.Now().UTC(), Actor: "system", Action: "archive.alarm", Target: "archive", Detail: al.Problem}
			if err := store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
				logger.Error("record archive alarm in the audit log", "err", err)
			}
		},
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	cfg := app.Config{Store: store, Archive: log, Hasher: auth.Production(), MediaDir: filepath.Join(dataDir, "media"),
		Now: time.Now, Logger: logger}
	for _, f := range adjust {
		f(&cfg)
	}
	svc := app.New(cfg)
	return &deployment{store: store, log: log, svc: svc, logger: logger, verifier: archiveVerifier{key: vkey, Verifier: verifier}}, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env(getenv, "HALLCAST_ADDR", ":8080"), "listen address (HALLCAST_ADDR)")
	where := storeFlags(fs, getenv)
	mediaDir := fs.String("media-dir", getenv("HALLCAST_MEDIA_DIR"), "directory of uploaded media; a volume every replica shares (default: media in --data) (HALLCAST_MEDIA_DIR)")
	replicaFlag := fs.String("replica", getenv("HALLCAST_REPLICA"), "this process's name among the replicas on one Redis (default: host name and a random suffix) (HALLCAST_REPLICA)")
	demoDefault, err := envBool(getenv, "HALLCAST_DEMO", true)
	if err != nil {
		return err
	}
	withDemo := fs.Bool("demo", demoDefault, "seed demo content on first start (HALLCAST_DEMO)")
	selfDefault, err := envBool(getenv, "HALLCAST_ALLOW_SELF_APPROVAL", false)
	if err != nil {
		return err
	}
	selfApproval := fs.Bool("allow-self-approval", selfDefault, "let whoever submits an item approve it too, for a hall with one member of staff; the archive records it (HALLCAST_ALLOW_SELF_APPROVAL)")
	publicURL := fs.String("public-url", getenv("HALLCAST_PUBLIC_URL"), "address phones reach the server at, for QR codes (HALLCAST_PUBLIC_URL)")
	proxies := fs.String("trusted-proxies", getenv("HALLCAST_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted (HALLCAST_TRUSTED_PROXIES)")
	debugAddr := fs.String("debug-addr", getenv("HALLCAST_DEBUG_ADDR"), "serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; keep it private (HALLCAST_DEBUG_ADDR)")
	tlsCert := fs.String("tls-cert", getenv("HALLCAST_TLS_CERT"), "serve https with this certificate (PEM, chain after the leaf); plain http on the same port is redirected to https (HALLCAST_TLS_CERT)")
	tlsKey := fs.String("tls-key", getenv("HALLCAST_TLS_KEY"), "the private key of --tls-cert (PEM) (HALLCAST_TLS_KEY)")
	logLevel := fs.String("log-level", env(getenv, "HALLCAST_LOG_LEVEL", "info"), "debug, info, warn or error (HALLCAST_LOG_LEVEL)")
	var envErrs []error
	caseDays := fs.Int("case-workdays", envParsed(getenv, "HALLCAST_CASE_WORKDAYS", feedback.CaseWorkdays, strconv.Atoi, &envErrs),
		"working days to close a case opened by a poor rating (HALLCAST_CASE_WORKDAYS)")
	feedbackDays := fs.Int("feedback-workdays", envParsed(getenv, "HALLCAST_FEEDBACK_WORKDAYS", feedback.FeedbackWorkdays, strconv.Atoi, &envErrs),
		"working days to reply to residents' feedback (HALLCAST_FEEDBACK_WORKDAYS)")
	maxConns := fs.Int("max-conns", envParsed(getenv, "HALLCAST_MAX_CONNS", defaultMaxConns(), strconv.Atoi, &envErrs),
		"most TCP connections open at once; 0: no limit; default from the open-file limit (HALLCAST_MAX_CONNS)")
	maxPerIP := fs.Int("max-conns-per-ip", envParsed(getenv, "HALLCAST_MAX_CONNS_PER_IP", 256, strconv.Atoi, &envErrs),
		"most TCP connections open at once from one client address (not counting --trusted-proxies); 0: no limit (HALLCAST_MAX_CONNS_PER_IP)")
	maxWSPerIP := fs.Int("max-ws-per-ip", envParsed(getenv, "HALLCAST_MAX_WS_PER_IP", 128, strconv.Atoi, &envErrs),
		"most screen websockets open at once from one client address (the forwarded one behind --trusted-proxies), at most 16 of them before their hello; 0: no limit (HALLCAST_MAX_WS_PER_IP)")
	readTimeout := fs.Duration("read-timeout", envParsed(getenv, "HALLCAST_READ_TIMEOUT", 30*time.Second, time.ParseDuration, &envErrs),
		"longest time to read a request, headers and body (media uploads may take longer while they keep coming); 0: no limit (HALLCAST_READ_TIMEOUT)")
	feedbackLimit := fs.Int("feedback-limit", envParsed(getenv, "HALLCAST_FEEDBACK_LIMIT", ingest.FeedbackLimit, strconv.Atoi, &envErrs),
		"most feedback messages one kiosk may leave per --feedback-window; 0: no limit (HALLCAST_FEEDBACK_LIMIT)")
	feedbackWindow := fs.Duration("feedback-window", envParsed(getenv, "HALLCAST_FEEDBACK_WINDOW", ingest.FeedbackWindow, time.ParseDuration, &envErrs),
		"the window of --feedback-limit (HALLCAST_FEEDBACK_WINDOW)")
	offlineAfter := fs.Duration("offline-alert-after", envParsed(getenv, "HALLCAST_OFFLINE_ALERT_AFTER", 10*time.Minute, time.ParseDuration, &envErrs),
		"a screen unseen this long is listed on the dashboard and posted to --webhook-url (HALLCAST_OFFLINE_ALERT_AFTER)")
	webhookURL := fs.String("webhook-url", getenv("HALLCAST_WEBHOOK_URL"), "post a JSON event here when a screen stays offline longer than --offline-alert-after (HALLCAST_WEBHOOK_URL)")
	backupDir := fs.String("backup-dir", getenv("HALLCAST_BACKUP_DIR"), "directory for scheduled backups and the backup taken before a migration (default for the latter: backups in --data) (HALLCAST_BACKUP_DIR)")
	backupEvery := fs.Duration("backup-every", envParsed(getenv, "HALLCAST_BACKUP_EVERY", 0, time.ParseDuration, &envErrs),
		"take a backup into --backup-dir this often, e.g. 24h; 0: never (HALLCAST_BACKUP_EVERY)")
	backupKeep := fs.Int("backup-keep", envParsed(getenv, "HALLCAST_BACKUP_KEEP", 14, strconv.Atoi, &envErrs),
		"scheduled backups to keep; older scheduled ones are removed (others in the directory never are); 0: keep all (HALLCAST_BACKUP_KEEP)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := errors.Join(envErrs...); err != nil {
		return err
	}
	if *backupEvery < 0 || *backupKeep < 0 {
		return fmt.Errorf("--backup-every and --backup-keep: want 0 or more")
	}
	if *backupEvery > 0 && *backupDir == "" {
		return fmt.Errorf("--backup-every: set --backup-dir too, ideally on another disk")
	}
	if *backupEvery > 0 && where.isRedis() {
		return fmt.Errorf("--backup-every: the Redis store is persisted by Redis; run \"hallcast backup --store …\" to check it")
	}
	if *backupEvery > 0 && *backupEvery < time.Minute {
		return fmt.Errorf("--backup-every: want at least 1m")
	}
	where.backupDir, where.mediaDir = *backupDir, *mediaDir
	for name, v := range map[string]int{"--max-conns": *maxConns, "--max-conns-per-ip": *maxPerIP, "--max-ws-per-ip": *maxWSPerIP, "--feedback-limit": *feedbackLimit} {
		if v < 0 {
			return fmt.Errorf("%s: want 0 (no limit) or more", name)
		}
	}
	for name, n := range map[string]int{"--case-workdays": *caseDays, "--feedback-workdays": *feedbackDays} {
		if n < 1 || n > 60 {
			return fmt.Errorf("%s: want 1 to 60 working days, got %d", name, n)
		}
	}
	if *readTimeout < 0 || *feedbackWindow <= 0 {
		return fmt.Errorf("--read-timeout and --feedback-window: want a positive duration (--read-timeout 0: no limit)")
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
	if u, err := url.Parse(*webhookURL); *webhookURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return fmt.Errorf("--webhook-url: want an http:// or https:// URL")
	}
	if *offlineAfter <= 0 {
		return fmt.Errorf("--offline-alert-after: want a positive duration")
	}
	var tlsConfig *tls.Config
	if (*tlsCert == "") != (*tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key: give both or neither")
	}
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		// HTTP/1.1 only: the screens' websockets upgrade an HTTP/1.1 request.
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	a, err := open(ctx, where, logger, reg, func(c *app.Config) {
		c.CaseWorkdays, c.FeedbackWorkdays = *caseDays, *feedbackDays
		c.OfflineAfter = *offlineAfter
		if *mediaDir != "" {
			c.MediaDir = *mediaDir
		}
	})
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

	// The push path: the event ingester and the websocket hub, which hears
	// every change the services make.
	svc := a.svc
	svc.Desk.AllowSelfApproval = *selfApproval
	rules := ingest.RulesConfig{FeedbackLimit: *feedbackLimit, FeedbackWindow: *feedbackWindow}
	if *feedbackLimit == 0 {
		rules.FeedbackLimit = -1 // no limit
	}
	events := ingest.New(ingest.Config{Store: a.store, Vetter: ingest.NewRules(a.store, rules), Registerer: reg, Logger: logger})
	screens := hub.New(hub.Config{Screens: svc.Signage, Manifests: svc.Manifests, Events: events, Registerer: reg, Logger: logger, Now: time.Now,
		ClientAddr: clientAddr(trusted), MaxConnsPerAddr: noLimitIfZero(*maxWSPerIP), MaxPendingPerAddr: pendingPerAddr(*maxWSPerIP)})
	svc.SetNotifier(screens, screens)
	var backups *backupScheduler
	if *backupEvery > 0 {
		backups = newBackupScheduler(reg, &backupScheduler{dir: *backupDir, dataDir: where.dataDir, mediaDir: *mediaDir,
			every: *backupEvery, keep: *backupKeep, store: a.store, logger: logger})
		logger.Info("scheduled backups", "dir", *backupDir, "every", *backupEvery, "keep", *backupKeep)
	}
	ready := func(ctx context.Context) (map[string]any, error) {
		details := map[string]any{"store": "sqlite"}
		if backups != nil {
			details["backup"] = backups.status()
		}
		return details, a.store.Ping(ctx)
	}
	var peers *replica
	if rs, ok := a.store.(*redisstore.Store); ok {
		// Several replicas share this Redis: changes go through it to
		// every replica's hub, and each lists every replica's screens.
		peers = &replica{name: replicaName(*replicaFlag), store: rs, broker: redisstore.NewBroker(rs), hub: screens, logger: logger}
		svc.SetNotifier(peers, peers)
		d := rs.Durability()
		logger.Info("Redis store", "replica", peers.name, "prefix", rs.Prefix(), "appendonly", d.AppendOnly, "appendfsync", d.FSync, "guarantee", d.Guarantee)
		ready = func(ctx context.Context) (map[string]any, error) {
			return map[string]any{"store": "redis", "replica": peers.name, "appendonly": d.AppendOnly, "appendfsync": d.FSync,
				"durability": d.Guarantee}, rs.Ping(ctx)
		}
	}

	api, err := httpapi.New(httpapi.Deps{
		Accounts: svc.Accounts, Catalog: svc.Catalog, Desk: svc.Desk, Signage: svc.Signage, Feedback: svc.Feedback,
		Reports: svc.Reports, Dashboard: svc.Dashboard, Public: svc.Public, Media: svc.Media, Events: events, Limits: a.store, Store: a.store, Ready: ready,
		Archive: a.log, Alarms: &archive.AlarmDesk{Log: a.log, Store: a.store, Now: time.Now},
		Verifier: a.verifier.Verifier, ArchiveKey: a.verifier.key, Origin: archiveOrigin,
		Logger: logger, Registry: reg, Gatherer: reg, UI: kioskui.FS(), Now: time.Now,
		Devices: http.HandlerFunc(screens.ServeWS), PublicURL: *publicURL, TrustedProxies: trusted,
	})
	if err != nil {
		return err
	}

	tcp, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// Bounded connections: in all (below the open-file limit, so the store
	// and media files always get descriptors) and per client address, each
	// request read within --read-timeout.
	ln := connlimit.New(tcp, connlimit.Config{Max: *maxConns, PerAddr: *maxPerIP, Exempt: trusted, Registerer: reg, Logger: logger})
	headerTimeout := 10 * time.Second
	if *readTimeout > 0 {
		headerTimeout = min(headerTimeout, *readTimeout)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: headerTimeout, ReadTimeout: *readTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	scheme, httpLn := "http", net.Listener(ln)
	var redirect *http.Server
	if tlsConfig != nil {
		// One port for both: TLS handshakes go to the server, plain http
		// is answered with a redirect to https.
		var plainLn net.Listener
		httpLn, plainLn = sniff.Split(ln, tlsConfig, headerTimeout)
		redirect = &http.Server{Handler: sniff.Redirect(), ReadHeaderTimeout: headerTimeout, IdleTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go redirect.Serve(plainLn)
		defer redirect.Close()
		scheme = "https"
	}
	base := scheme + "://" + displayAddr(ln.Addr())
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
	if backups != nil {
		workers.Go(func() { backups.run(bg) })
	}
	if peers != nil {
		workers.Go(func() { peers.run(bg) })
	}
	if *webhookURL != "" {
		hook := &dashboard.Webhook{URL: *webhookURL, After: *offlineAfter, Screens: svc.Signage, Limits: a.store, Audit: a.store,
			Now: time.Now, Logger: logger}
		workers.Go(func() { hook.Run(bg) })
	}
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
	go func() { errc <- srv.Serve(httpLn) }()
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

// clientAddr names a request's client as the API does: the TCP peer, or
// behind trusted proxies the address they forward.
func clientAddr(trusted []*net.IPNet) func(*http.Request) string {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// noLimitIfZero maps a flag's 0 (no limit) to the hub's negative.
func noLimitIfZero(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// pendingPerAddr is how many websockets of one address may wait for their
// hello: 16, fewer when --max-ws-per-ip is lower, no limit when it is 0.
func pendingPerAddr(maxWS int) int {
	if maxWS == 0 {
		return -1
	}
	return min(16, maxWS)
}

// defaultMaxConns is --max-conns unless set: the open-file limit less a
// reserve for the store, media files and logs, at most 65,536; 4,096 where
// the limit is unknown.
func defaultMaxConns() int {
	limit := openFileLimit()
	if limit <= 0 {
		return 4096
	}
	reserve := min(256, limit/4)
	return int(min(limit-reserve, 65536))
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
func (a *deployment) firstStart(ctx context.Context, getenv func(string) string, withDemo bool) (string, error) {
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	password, generated := getenv("HALLCAST_ADMIN_PASSWORD"), false
	if password == "" {
		password, generated = auth.NewSecret("")[:20], true
	}
	admin, err := a.svc.Accounts.FirstAdmin(ctx, password)
	if err != nil {
		return "", fmt.Errorf("HALLCAST_ADMIN_PASSWORD: %w", err)
	}
	if admin == nil {
		return "", nil
	}
	a.logger.Info("created the first admin account", "username", "admin")
	if withDemo {
		halls, err := a.store.ListHalls(ctx)
		if err != nil {
			return "", err
		}
		if len(halls) == 0 {
			res, err := demo.Seed(ctx, a.store, a.svc.Desk, admin)
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
// and dropping expired sessions, pairings and counters.
func (a *deployment) sweep(ctx context.Context) {
	const rowsEvery = 10 // sweeps: about five minutes
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for round := 0; ; round++ {
		if n, err := a.svc.Desk.ExpireDue(ctx); err != nil && ctx.Err() == nil {
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
		// So do the counters of windows that have ended (logins, ratings, feedback).
		if _, err := a.store.DeleteExpiredCounters(ctx, time.Now()); err != nil && ctx.Err() == nil {
			a.logger.Error("delete expired counters", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
