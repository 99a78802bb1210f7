package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/hallcast/hallcast/server/app"
	"github.com/hallcast/hallcast/server/archivexport"
	"github.com/hallcast/hallcast/server/hall"
)

// archiveExport writes a year of the archive as printable pages with the
// leaves, proofs, checkpoint and key that verify them (archivexport).
func archiveExport(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	where := storeFlags(fs, getenv)
	mediaDir := fs.String("media-dir", getenv("HALLCAST_MEDIA_DIR"), "directory of uploaded media (default: media in --data) (HALLCAST_MEDIA_DIR)")
	year := fs.Int("year", 0, "the year to export: revisions published in it (required)")
	to := fs.String("to", "", "directory to write, which must not exist or be empty (required)")
	publicURL := fs.String("public-url", getenv("HALLCAST_PUBLIC_URL"), "address phones reach the server at, for each page's QR code; empty prints the page's path only (HALLCAST_PUBLIC_URL)")
	tz := fs.String("tz", "", "zone that dates pages whose item names no hall (default: the town hall's zone, else Asia/Shanghai)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *year == 0:
		return fmt.Errorf("archive export: --year is required")
	case *to == "":
		return fmt.Errorf("archive export: --to is required")
	}
	where.mediaDir = *mediaDir
	a, err := open(ctx, where, slog.New(slog.NewTextHandler(stderr, nil)), nil, func(c *app.Config) {
		if *mediaDir != "" {
			c.MediaDir = *mediaDir
		}
	})
	if err != nil {
		return err
	}
	defer a.store.Close()
	zone, err := exportZone(ctx, a.store, *tz)
	if err != nil {
		return err
	}
	m, err := archivexport.Write(ctx, archivexport.Options{
		Log: a.log, Catalog: a.store, Key: a.verifier.key, Year: *year, Zone: zone, PublicURL: *publicURL, Dir: *to, Now: now(),
		Media: func(ctx context.Context, sum string) ([]byte, error) {
			_, f, err := a.svc.Media.Open(ctx, sum)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return io.ReadAll(f)
		},
	})
	if err != nil {
		return fmt.Errorf("archive export: %w", err)
	}
	fmt.Fprintf(stdout, "exported %d pages and %d leaves of %d into %s, against the checkpoint of %d entries (root %s)\n",
		len(m.Pages), len(m.Leaves), m.Year, *to, m.Checkpoint.Size, m.Checkpoint.Root)
	fmt.Fprintf(stdout, "check it offline with: hallcast archive verify-export %s\n", *to)
	return nil
}

// exportZone is the zone named, else the town hall's, else the default.
func exportZone(ctx context.Context, store hall.Store, name string) (*time.Location, error) {
	if name == "" {
		name = hall.DefaultTZ
		halls, err := store.ListHalls(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range halls {
			if h.Kind == hall.HallTown && h.Parent == "" && h.TZ != "" {
				name = h.TZ
				break
			}
		}
	}
	zone, err := hall.LoadZone(name)
	if err != nil {
		return nil, fmt.Errorf("archive export: --tz %q: %w", name, err)
	}
	return zone, nil
}

// archiveVerifyExport re-checks an export offline and exits non-zero on any
// mismatch, naming each file at fault.
func archiveVerifyExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify-export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: hallcast archive verify-export DIR")
	}
	dir := fs.Arg(0)
	res, err := archivexport.Verify(dir)
	if err != nil {
		return err
	}
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, "MISMATCH", p)
	}
	if !res.OK() {
		return fmt.Errorf("%s does NOT verify: %d problems", dir, len(res.Problems))
	}
	fmt.Fprintf(stdout, "%s verifies: checkpoint of %d entries (root %s) signed by archive.pub; %d leaves in it; %d pages equal to their leaves; %d media files\n",
		dir, res.Size, res.Root, res.Leaves, res.Pages, res.Media)
	return nil
}
