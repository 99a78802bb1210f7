// Package archivexport writes a year of the archive as the files an archives
// office keeps (立卷归档): one printable HTML page per revision published in
// the year, grouped by category and month, every leaf of the year with its
// inclusion proof against the latest signed checkpoint, the checkpoint and
// the key that signs it, and a VERIFY.md saying how to check a page offline.
// Verify re-checks such a directory offline.
//
// Pages are rendered from the archive's leaves alone (hall.DecodeEntry's
// revision), never from editable rows: Verify renders every page again from
// the exported leaves and compares it byte for byte. Only the names of
// categories, departments and halls come from the catalogue, recorded in
// manifest.json.
package archivexport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/markdown"
)

// File names in an export.
const (
	ManifestFile   = "manifest.json"
	CheckpointFile = "checkpoint.txt"
	KeyFile        = archive.PublicKeyFile // archive.pub
	IndexFile      = "index.html"
	VerifyFile     = "VERIFY.md"
	LeavesDir      = "leaves"
	ProofsDir      = "proofs"
	MediaDir       = "media"
)

// Log is the archive as the export reads it.
type Log interface {
	Checkpoint(ctx context.Context) (*hall.Checkpoint, error)
	Entries(ctx context.Context, from, to int64) ([]*hall.ArchiveEntry, int64, error)
	InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, tlog.Hash, error)
}

// Catalog gives the names shown beside the keys a revision carries.
type Catalog interface {
	ListCategories(ctx context.Context) ([]*hall.Category, error)
	ListDepartments(ctx context.Context) ([]*hall.Department, error)
	ListHalls(ctx context.Context) ([]*hall.Hall, error)
}

// Options is what Write needs. Log, Catalog, Key and Dir are required.
type Options struct {
	Log     Log
	Catalog Catalog
	// Media returns a stored file's bytes by sha256; nil, or an error,
	// lists the file by its sum only.
	Media func(ctx context.Context, sum string) ([]byte, error)
	// Key is the verifier key of the checkpoints (archive.pub's text).
	Key  string
	Year int
	// Zone dates pages whose item names no hall with a zone (nil: the
	// default zone, Asia/Shanghai).
	Zone *time.Location
	// PublicURL is where residents reach the server, for each page's QR
	// code; empty prints the page's path only.
	PublicURL string
	Dir       string
	Now       time.Time
}

// Manifest is manifest.json: what the export holds and the labels its
// pages were rendered with.
type Manifest struct {
	Format      int                  `json:"format"`
	Year        int                  `json:"year"`
	Zone        string               `json:"zone"`
	PublicURL   string               `json:"public_url,omitempty"`
	GeneratedAt time.Time            `json:"generated_at"`
	Checkpoint  ManifestCheckpoint   `json:"checkpoint"`
	Categories  map[string]hall.Text `json:"categories"`
	Departments map[string]hall.Text `json:"departments"`
	Halls       map[string]HallInfo  `json:"halls"`
	Pages       []PageInfo           `json:"pages"`
	Range       *LeafRange           `json:"range,omitempty"`
	Leaves      []int64              `json:"leaves"`
	Media       []string             `json:"media"`
}

// ManifestCheckpoint is the checkpoint's size and root, as checkpoint.txt signs them.
type ManifestCheckpoint struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
}

// LeafRange is where the year's entries lie in the archive: From <= index
// < To. Leaves From-1 and To, when the archive has them, are exported too:
// they are not of the year.
type LeafRange struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// HallInfo is a hall's name and zone.
type HallInfo struct {
	Name string `json:"name"`
	TZ   string `json:"tz"`
}

// PageInfo is one page of the export.
type PageInfo struct {
	Path        string    `json:"path"`
	Index       int64     `json:"index"`
	LeafHash    string    `json:"leaf_hash"`
	ItemID      string    `json:"item_id"`
	Revision    int       `json:"revision"`
	Category    string    `json:"category"`
	Month       string    `json:"month"` // YYYY-MM in the page's zone
	Title       string    `json:"title"`
	PublishedAt time.Time `json:"published_at"`
}

// Proof is an inclusion proof as GET /api/v1/archive/proof/{index} answers
// it: hashes in base64, the RFC 6962 audit path from the leaf up.
type Proof struct {
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	Root     string   `json:"root"`
	LeafHash string   `json:"leaf_hash"`
	Leaf     string   `json:"leaf"`
	Proof    []string `json:"proof"`
}

const manifestFormat = 1

// LeafName is the file name of leaf index under leaves/ (and of its proof,
// with .json, under proofs/).
func LeafName(index int64) string { return fmt.Sprintf("%08d", index) }

// Beside a format-2 publish leaf: the revision's content and its salt.
const (
	ContentSuffix = ".content"
	SaltSuffix    = ".salt"
)

var safeID = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// entryInfo is one archive entry read from its leaf.
type entryInfo struct {
	e      *hall.ArchiveEntry // kind, item, revision and time from the leaf
	rev    *hall.Revision     // publish entries (nil once redacted)
	reason string
	// content and salt are what a format-2 publish leaf commits to, kept
	// beside it (nil for other leaves and once redacted).
	content, salt []byte
}

// Write exports opt.Year into opt.Dir, which must not exist or be empty;
// it never overwrites or removes a file there. A new directory is written
// beside opt.Dir and renamed into place once complete, so a failed export
// leaves nothing; into an empty directory that exists the export is
// written in place. It returns the manifest written.
func Write(ctx context.Context, opt Options) (*Manifest, error) {
	if opt.Year < 1970 || opt.Year > 9999 {
		return nil, hall.FieldError("year", "want a year such as 2026").WithReason("export_year")
	}
	exists, err := checkTarget(opt.Dir)
	if err != nil {
		return nil, err
	}
	if exists {
		m, err := write(ctx, opt)
		if err != nil {
			return nil, fmt.Errorf("%w (the export in %s is incomplete)", err, opt.Dir)
		}
		return m, nil
	}
	final := filepath.Clean(opt.Dir)
	tmp, err := os.MkdirTemp(filepath.Dir(final), "."+filepath.Base(final)+".export-*")
	if err != nil {
		return nil, err
	}
	opt.Dir = tmp
	m, err := write(ctx, opt)
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err == nil {
		if _, serr := os.Lstat(final); serr == nil {
			err = fmt.Errorf("%s appeared while the export was written", final)
		} else if err = os.Rename(tmp, final); err != nil {
			err = fmt.Errorf("move the export into place: %w", err)
		}
	}
	if err != nil {
		os.RemoveAll(tmp) // only the directory this export made
		return nil, err
	}
	return m, nil
}

func write(ctx context.Context, opt Options) (*Manifest, error) {
	zone := opt.Zone
	if zone == nil {
		z, err := hall.LoadZone(hall.DefaultTZ)
		if err != nil {
			return nil, err
		}
		zone = z
	}
	cp, err := opt.Log.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("latest checkpoint: %w", err)
	}
	m := &Manifest{Format: manifestFormat, Year: opt.Year, Zone: zone.String(), PublicURL: strings.TrimRight(opt.PublicURL, "/"),
		GeneratedAt: opt.Now.UTC(), Checkpoint: ManifestCheckpoint{Size: cp.Size, Root: cp.Root},
		Categories: map[string]hall.Text{}, Departments: map[string]hall.Text{}, Halls: map[string]HallInfo{},
		Pages: []PageInfo{}, Leaves: []int64{}, Media: []string{}}
	if err := labels(ctx, opt.Catalog, m); err != nil {
		return nil, err
	}

	// Every entry the checkpoint covers, read from its leaf.
	var all []entryInfo
	for from := int64(0); from < cp.Size; {
		entries, _, err := opt.Log.Entries(ctx, from, min(from+256, cp.Size))
		if err != nil {
			return nil, fmt.Errorf("archive entries from %d: %w", from, err)
		}
		if len(entries) == 0 {
			return nil, fmt.Errorf("archive entry %d is missing", from)
		}
		for _, e := range entries {
			info, err := readEntry(e)
			if err != nil {
				return nil, err
			}
			all = append(all, info)
		}
		from += int64(len(entries))
	}

	r := renderer{m: m, zone: zone}
	// The year's entries lie in [first, last]: every leaf between is
	// exported, with one on each side to show where the year starts and
	// ends, so Verify can tell that no entry of the year was left out.
	first, last := int64(-1), int64(-1)
	for _, x := range all {
		if r.ofYear(x) {
			if first < 0 {
				first = x.e.Index
			}
			last = x.e.Index
		}
	}
	published := map[string]bool{} // item#revision published in the year
	include := map[int64]bool{}
	if first >= 0 {
		m.Range = &LeafRange{From: first, To: last + 1}
		for i := max(first-1, 0); i <= min(last+1, cp.Size-1); i++ {
			include[i] = true
			if x := all[i]; x.rev != nil && r.ofYear(x) {
				published[revKey(x.e.ItemID, x.e.Revision)] = true
			}
		}
	}
	var leaves []int64
	for _, x := range all {
		// Withdrawals and expiries of a page's revision, also a later year's.
		if include[x.e.Index] || (x.rev == nil && published[revKey(x.e.ItemID, x.e.Revision)]) {
			leaves = append(leaves, x.e.Index)
		}
	}
	m.Leaves = leaves

	for _, dir := range []string{LeavesDir, ProofsDir, MediaDir} {
		if err := os.Mkdir(filepath.Join(opt.Dir, dir), 0o755); err != nil {
			return nil, err
		}
	}
	for _, i := range leaves {
		leaf := all[i].e.Leaf
		proof, root, err := opt.Log.InclusionProof(ctx, i, cp.Size)
		if err != nil {
			return nil, fmt.Errorf("inclusion proof of entry %d: %w", i, err)
		}
		if root.String() != cp.Root {
			return nil, fmt.Errorf("inclusion proof of entry %d is against root %s, the checkpoint signs %s", i, root, cp.Root)
		}
		p := Proof{Index: i, Size: cp.Size, Root: root.String(), LeafHash: tlog.RecordHash(leaf).String(), Leaf: string(leaf), Proof: []string{}}
		for _, h := range proof {
			p.Proof = append(p.Proof, h.String())
		}
		pj, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return nil, err
		}
		if x := all[i]; x.content != nil {
			// A format-2 leaf commits to its content by a salted hash: the
			// content and salt go beside it, for Verify to check.
			if err := writeNew(opt.Dir, path.Join(LeavesDir, LeafName(i)+ContentSuffix), x.content); err != nil {
				return nil, err
			}
			if err := writeNew(opt.Dir, path.Join(LeavesDir, LeafName(i)+SaltSuffix), x.salt); err != nil {
				return nil, err
			}
		}
		if err := writeNew(opt.Dir, path.Join(LeavesDir, LeafName(i)), leaf); err != nil {
			return nil, err
		}
		if err := writeNew(opt.Dir, path.Join(ProofsDir, LeafName(i)+".json"), append(pj, '\n')); err != nil {
			return nil, err
		}
	}

	// Pages, with the media they show.
	media := map[string][]byte{}
	for _, x := range all {
		if x.rev == nil || !r.ofYear(x) {
			continue
		}
		for _, sum := range mediaSums(x.rev) {
			if _, seen := media[sum]; seen || opt.Media == nil {
				continue
			}
			data, err := opt.Media(ctx, sum)
			if err != nil || fmt.Sprintf("%x", sha256.Sum256(data)) != sum {
				media[sum] = nil // listed by its sum only
				continue
			}
			media[sum] = data
			if err := writeNew(opt.Dir, path.Join(MediaDir, sum), data); err != nil {
				return nil, err
			}
			m.Media = append(m.Media, sum)
		}
		states := laterStates(all, x)
		info := r.pageInfo(x)
		page, err := r.page(x, states, media)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(opt.Dir, filepath.FromSlash(path.Dir(info.Path))), 0o755); err != nil {
			return nil, err
		}
		if err := writeNew(opt.Dir, info.Path, page); err != nil {
			return nil, err
		}
		m.Pages = append(m.Pages, info)
	}
	slices.Sort(m.Media)

	index, err := r.index()
	if err != nil {
		return nil, err
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{IndexFile, index},
		{CheckpointFile, []byte(cp.Note)},
		{KeyFile, []byte(strings.TrimSpace(opt.Key) + "\n")},
		{VerifyFile, []byte(verifyGuide)},
		{ManifestFile, append(mj, '\n')},
	} {
		if err := writeNew(opt.Dir, f.name, f.data); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// readEntry decodes an entry: kind, item, revision and time from its leaf,
// the revision with hall.DecodeEntry, the one reader of leaves, so pages
// follow whatever leaf formats it accepts. A leaf format that keeps a
// revision's content beside the leaf rather than in it needs that content
// exported beside the leaf file too, for Verify to pass it to DecodeEntry.
func readEntry(e *hall.ArchiveEntry) (entryInfo, error) {
	fromLeaf, err := hall.EntryFromLeaf(e.Index, e.Leaf)
	if err != nil {
		return entryInfo{}, err
	}
	rev, reason, err := hall.DecodeEntry(e)
	if errors.Is(err, hall.ErrContentGone) {
		// Redacted: the leaf stays, the content is gone; no page.
		return entryInfo{e: fromLeaf}, nil
	}
	if err != nil {
		return entryInfo{}, err
	}
	if fromLeaf.Kind == hall.EntryPublish && rev == nil {
		return entryInfo{}, fmt.Errorf("archive entry %d: publish entry without a revision", e.Index)
	}
	if fromLeaf.Kind != hall.EntryPublish {
		rev = nil
	}
	return entryInfo{e: fromLeaf, rev: rev, reason: reason, content: e.Content, salt: e.Salt}, nil
}

func revKey(id string, n int) string { return fmt.Sprintf("%s#%d", id, n) }

// laterStates returns the withdraw and expire entries of x's revision.
func laterStates(all []entryInfo, x entryInfo) []entryInfo {
	var out []entryInfo
	for _, y := range all[x.e.Index+1:] {
		if y.rev == nil && y.e.ItemID == x.e.ItemID && y.e.Revision == x.e.Revision &&
			(y.e.Kind == hall.EntryWithdraw || y.e.Kind == hall.EntryExpire) {
			out = append(out, y)
		}
	}
	return out
}

var mediaURL = regexp.MustCompile(`^` + regexp.QuoteMeta(markdown.MediaPrefix) + `([0-9a-f]{64})$`)
var bodyMedia = regexp.MustCompile(`src="` + regexp.QuoteMeta(markdown.MediaPrefix) + `([0-9a-f]{64})"`)

// mediaSums returns the sums of the media a revision shows: its assets and
// the images of its body.
func mediaSums(r *hall.Revision) []string {
	var out []string
	for _, a := range r.Assets {
		if m := mediaURL.FindStringSubmatch(a.URL); m != nil {
			out = append(out, m[1])
		}
	}
	for _, m := range bodyMedia.FindAllStringSubmatch(r.BodyHTML, -1) {
		out = append(out, m[1])
	}
	return out
}

func labels(ctx context.Context, c Catalog, m *Manifest) error {
	cats, err := c.ListCategories(ctx)
	if err != nil {
		return err
	}
	for _, x := range cats {
		m.Categories[x.Key] = x.Name
	}
	depts, err := c.ListDepartments(ctx)
	if err != nil {
		return err
	}
	for _, x := range depts {
		m.Departments[x.Key] = x.Name
	}
	halls, err := c.ListHalls(ctx)
	if err != nil {
		return err
	}
	for _, x := range halls {
		m.Halls[x.ID] = HallInfo{Name: x.Name, TZ: x.TZ}
	}
	return nil
}

// checkTarget accepts a directory that does not exist (its parent must) or
// is empty, and reports whether it exists.
func checkTarget(dir string) (bool, error) {
	if dir == "" {
		return false, hall.FieldError("to", "required: the directory to export into").WithReason("export_target_required")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(filepath.Dir(filepath.Clean(dir))); err != nil {
			return false, hall.FieldError("to", "%s: the directory it goes in must exist: %v", dir, err).WithReason("export_target_parent_missing")
		}
		return false, nil
	case err != nil:
		return false, err
	case len(entries) > 0:
		return true, hall.FieldError("to", "%s is not empty: export into a new or empty directory", dir).WithReason("export_target_not_empty")
	}
	return true, nil
}

// writeNew writes a file that must not exist yet.
func writeNew(dir, name string, data []byte) error {
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(name)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
