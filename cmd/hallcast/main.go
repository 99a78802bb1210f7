// Command hallcast serves the public-disclosure screens of a service hall:
// the API, the screens' websocket push, the kiosk and the staff console.
//
//	hallcast serve [--addr :8080] [--data ./data] [--store sqlite] [--demo=true]
//	hallcast user add --data DIR --username U --role R [--departments a,b]
//	hallcast token create --data DIR --user U [--name N]
//	hallcast archive verify --data DIR [--store URL --redis-prefix P]
//	hallcast migrate --from DIR|URL --to DIR|URL [--from-prefix P] [--to-prefix P]
//	hallcast archive export --data DIR --year 2026 --to NEWDIR [--public-url URL]
//	hallcast archive verify-export DIR
//	hallcast archive witness --url URL --state FILE [--key KEY]
//	hallcast backup --data DIR --to FILE.tar.gz
//	hallcast restore --from FILE.tar.gz --data NEWDIR
//	hallcast tls init --hosts 192.168.1.10,hall.local [--dir DATA/tls]
//	hallcast service install|uninstall|start|stop [--data DIR] [-- serve flags]
//
// Every flag can also be set in the environment (HALLCAST_ADDR, HALLCAST_DATA…).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "time/tzdata" // screens' zones resolve even on a system without zoneinfo
)

func main() {
	if isService, err := runAsService(os.Args[1:]); isService || err != nil {
		if err != nil {
			fmt.Fprintln(os.Stderr, "hallcast:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hallcast:", err)
		os.Exit(1)
	}
}

const usage = `usage: hallcast <command> [flags]

commands:
  serve            run the server (API, screens, kiosk, console)
  user add         add a staff account
  token create     print a new API token for a user
  archive verify   check the archive offline against its signed checkpoints and the item rows
  archive export   write a year's published revisions as printable pages with their leaves, proofs and checkpoint:
                   hallcast archive export --data ./data --year 2026 --to archive-2026
  archive verify-export
                   re-check such an export offline (exit non-zero naming each mismatch):
                   hallcast archive verify-export archive-2026
  archive witness  check a running hall's newest checkpoint against the last one seen (exit non-zero on a rewritten history)
  backup           write a consistent backup of a data directory while the server runs:
                   hallcast backup --data ./data --to hallcast-2026-11-28.tar.gz
                   (on a Redis store: check Redis's own persistence and say what to back up)
  restore          restore a backup into a new, empty data directory, checking every file and the archive:
                   hallcast restore --from hallcast-2026-11-28.tar.gz --data ./data-restored
  tls init         make a local CA and a server certificate for https in the hall (--hosts 192.168.1.10,hall.local)
  service install  run serve as a Windows service, or write a systemd unit on Linux (--dry-run prints it)
  service uninstall|start|stop
                   remove, start or stop the service
  migrate          copy a whole deployment into an empty store, then verify its archive there:
                   hallcast migrate --from ./data --to redis://redis:6379/0 [--to-prefix hallcast:]
  loadtest         simulate many screens against a running server and measure push latency
  healthcheck      exit 0 when a running server answers /healthz (for containers)
  version          print the version

Run "hallcast <command> -h" for a command's flags.`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// run is the whole program: main only wires the process to it, so tests can
// start it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("no command")
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case cmd == "user" && len(rest) > 0 && rest[0] == "add":
		return userAdd(ctx, rest[1:], getenv, stdin, stdout, stderr)
	case cmd == "token" && len(rest) > 0 && rest[0] == "create":
		return tokenCreate(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "archive" && len(rest) > 0 && rest[0] == "verify":
		return archiveVerify(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "archive" && len(rest) > 0 && rest[0] == "export":
		return archiveExport(ctx, rest[1:], getenv, time.Now, stdout, stderr)
	case cmd == "archive" && len(rest) > 0 && rest[0] == "verify-export":
		return archiveVerifyExport(rest[1:], stdout, stderr)
	case cmd == "archive" && len(rest) > 0 && rest[0] == "witness":
		return archiveWitness(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "backup":
		return backupCmd(ctx, rest, getenv, stdout, stderr)
	case cmd == "restore":
		return restoreCmd(ctx, rest, getenv, stdout, stderr)
	case cmd == "tls" && len(rest) > 0 && rest[0] == "init":
		return tlsInit(rest[1:], getenv, stdout, stderr)
	case cmd == "service" && len(rest) > 0:
		return service(ctx, rest[0], rest[1:], getenv, stdout, stderr)
	case cmd == "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case cmd == "loadtest":
		return loadtest(ctx, rest, getenv, stdout, stderr)
	case cmd == "healthcheck":
		return healthcheck(ctx, rest, stdout, stderr)
	case cmd == "version":
		fmt.Fprintln(stdout, "hallcast", version)
		return nil
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
