package archivexport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/hallcast/hallcast/server/archive"
	"github.com/hallcast/hallcast/server/hall"
)

// Result is what Verify found: the counts checked and every problem, each
// naming the file at fault.
type Result struct {
	Size     int64    // the checkpoint's tree size
	Root     string   // and root
	Leaves   int      // leaves whose inclusion proofs check
	Pages    int      // pages equal to their rendering from the leaves
	Media    int      // media files whose names are their sha256
	Problems []string // empty when everything checks
}

// OK reports whether nothing was found wrong.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

var (
	leafName  = regexp.MustCompile(`^[0-9]{8,}(\.content|\.salt)?$`)
	proofName = regexp.MustCompile(`^([0-9]{8,})\.json$`)
	shaName   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	metaHash  = regexp.MustCompile(`<meta name="hallcast-leaf-hash" content="([^"]*)">`)
	metaIndex = regexp.MustCompile(`<meta name="hallcast-leaf-index" content="([^"]*)">`)
)

// Verify checks an export offline: the checkpoint's signature with the
// exported key; each leaf's RFC 6962 hash and inclusion proof against the
// checkpoint; each media file's sha256; and each page, which must name the
// hash of its leaf and be exactly the page rendered again from the exported
// leaves (title, dates, body, finance table, QR code…). index.html must list
// exactly the pages. Files neither listed nor expected are problems too. The
// error is for a directory that cannot be read at all.
func Verify(dir string) (*Result, error) {
	res := &Result{}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			res.fail("%s: %v", name, err)
			return nil
		}
		return b
	}
	mj := read(ManifestFile)
	if mj == nil {
		return res, nil
	}
	var m Manifest
	if err := json.Unmarshal(mj, &m); err != nil {
		res.fail("%s: %v", ManifestFile, err)
		return res, nil
	}
	if m.Format != manifestFormat {
		res.fail("%s: format %d, this hallcast reads format %d", ManifestFile, m.Format, manifestFormat)
		return res, nil
	}

	// The checkpoint and its key.
	key := strings.TrimSpace(string(read(KeyFile)))
	cpText := read(CheckpointFile)
	if key == "" || cpText == nil {
		return res, nil
	}
	verifier, err := note.NewVerifier(key)
	if err != nil {
		res.fail("%s: not a verifier key: %v", KeyFile, err)
		return res, nil
	}
	origin, _, _ := strings.Cut(string(cpText), "\n")
	size, root, err := archive.OpenCheckpoint(string(cpText), verifier, origin)
	if err != nil {
		res.fail("%s: %v", CheckpointFile, err)
		return res, nil
	}
	res.Size, res.Root = size, root.String()
	if m.Checkpoint.Size != size || m.Checkpoint.Root != root.String() {
		res.fail("%s: says size %d root %s, %s signs size %d root %s", ManifestFile, m.Checkpoint.Size, m.Checkpoint.Root, CheckpointFile, size, root)
	}

	// Leaves and their proofs.
	entries := map[int64]entryInfo{}
	for _, i := range m.Leaves {
		name := path.Join(LeavesDir, LeafName(i))
		leaf := read(name)
		if leaf == nil {
			continue
		}
		if err := checkProof(dir, i, leaf, size, root); err != nil {
			res.fail("%s: %v", name, err)
			continue
		}
		e, err := hall.EntryFromLeaf(i, leaf)
		if err != nil {
			res.fail("%s: %v", name, err)
			continue
		}
		if c, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name+ContentSuffix))); err == nil {
			e.Content = c
			if e.Salt, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(name+SaltSuffix))); err != nil {
				res.fail("%s: content without its salt: %v", name, err)
				continue
			}
		}
		info, err := readEntry(e)
		if err != nil {
			res.fail("%s: %v", name, err)
			continue
		}
		entries[i] = info
		res.Leaves++
	}
	res.unlisted(dir, LeavesDir, leafName, func(name string) bool {
		base := strings.TrimSuffix(strings.TrimSuffix(name, ContentSuffix), SaltSuffix)
		n, _ := strconv.ParseInt(base, 10, 64)
		return slices.Contains(m.Leaves, n) && LeafName(n) == base
	})
	res.unlisted(dir, ProofsDir, proofName, func(name string) bool {
		n, _ := strconv.ParseInt(strings.TrimSuffix(name, ".json"), 10, 64)
		return slices.Contains(m.Leaves, n) && LeafName(n)+".json" == name
	})

	// Media.
	media := map[string][]byte{}
	for _, sum := range m.Media {
		name := path.Join(MediaDir, sum)
		data := read(name)
		if data == nil {
			continue
		}
		if got := sha256Hex(data); got != sum {
			res.fail("%s: its sha256 is %s", name, got)
			continue
		}
		media[sum] = data
		res.Media++
	}
	res.unlisted(dir, MediaDir, shaName, func(name string) bool { return slices.Contains(m.Media, name) })

	// Pages, rendered again from the leaves.
	zone, err := hall.LoadZone(m.Zone)
	if err != nil {
		res.fail("%s: zone %q: %v", ManifestFile, m.Zone, err)
		return res, nil
	}
	r := renderer{m: &m, zone: zone}
	var sorted []entryInfo
	for _, i := range m.Leaves {
		if x, ok := entries[i]; ok {
			sorted = append(sorted, x)
		}
	}
	listed := map[string]bool{}
	pageOf := map[int64]bool{}
	for _, p := range m.Pages {
		listed[p.Path] = true
		pageOf[p.Index] = true
		res.checkPage(dir, r, p, entries, sorted, media)
	}
	res.checkRange(r, &m, size, entries, pageOf)
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel = filepath.ToSlash(rel); rel != IndexFile && !listed[rel] {
			res.fail("%s: a page the manifest does not list", rel)
		}
		return nil
	})
	if want, err := r.index(); err != nil {
		res.fail("%s: %v", IndexFile, err)
	} else if got := read(IndexFile); got != nil && !bytes.Equal(got, want) {
		res.fail("%s: differs from the index of the pages the manifest lists (%s)", IndexFile, firstDiff(got, want))
	}
	return res, nil
}

// checkRange checks that the export holds every entry of the year: the
// leaves from the range's start to its end, each publication of the year
// with its page, and a neighbour on each side that is not of the year.
func (res *Result) checkRange(r renderer, m *Manifest, size int64, entries map[int64]entryInfo, pageOf map[int64]bool) {
	if m.Range == nil {
		if len(m.Pages) > 0 {
			res.fail("%s: pages but no range of the year's entries", ManifestFile)
		}
		return
	}
	from, to := m.Range.From, m.Range.To
	if from < 0 || to <= from || to > size {
		res.fail("%s: the year's entries %d..%d are not in the signed tree of %d", ManifestFile, from, to-1, size)
		return
	}
	for i := max(from-1, 0); i <= min(to, size-1); i++ {
		x, ok := entries[i]
		if !ok {
			res.fail("%s: missing or not verified, but the year's entries run from %d to %d", path.Join(LeavesDir, LeafName(i)), from, to-1)
			continue
		}
		inside := i >= from && i < to
		switch {
		case !inside && r.ofYear(x):
			res.fail("%s: an entry of %d outside the range %d..%d the manifest gives: the year's entries are not all here", path.Join(LeavesDir, LeafName(i)), m.Year, from, to-1)
		case inside && x.rev != nil && r.ofYear(x) && !pageOf[i]:
			res.fail("%s: a revision published in %d (%q) without its page", path.Join(LeavesDir, LeafName(i)), m.Year, x.rev.Title)
		}
	}
	for _, p := range m.Pages {
		if p.Index < from || p.Index >= to {
			res.fail("%s: its leaf %d is outside the year's entries %d..%d", p.Path, p.Index, from, to-1)
		}
	}
}

// checkProof checks leaf against its proof file and the checkpoint.
func checkProof(dir string, i int64, leaf []byte, size int64, root tlog.Hash) error {
	name := path.Join(ProofsDir, LeafName(i)+".json")
	pj, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	var p Proof
	if err := json.Unmarshal(pj, &p); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	leafHash := tlog.RecordHash(leaf)
	switch {
	case p.Index != i:
		return fmt.Errorf("%s is the proof of entry %d", name, p.Index)
	case p.Size != size || p.Root != root.String():
		return fmt.Errorf("%s proves against size %d root %s, the checkpoint signs size %d root %s", name, p.Size, p.Root, size, root)
	case p.Leaf != string(leaf):
		return fmt.Errorf("the leaf differs from the leaf in %s", name)
	case p.LeafHash != leafHash.String():
		return fmt.Errorf("its RFC 6962 leaf hash is %s, %s says %s", leafHash, name, p.LeafHash)
	}
	var proof tlog.RecordProof
	for _, s := range p.Proof {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return fmt.Errorf("%s: malformed hash %q", name, s)
		}
		proof = append(proof, h)
	}
	if err := archive.VerifyInclusion(leaf, i, size, root, proof); err != nil {
		return fmt.Errorf("not in the signed tree: %v", err)
	}
	return nil
}

// checkPage compares a page with its rendering from the leaves.
func (res *Result) checkPage(dir string, r renderer, p PageInfo, entries map[int64]entryInfo, sorted []entryInfo, media map[string][]byte) {
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p.Path)))
	if err != nil {
		res.fail("%s: %v", p.Path, err)
		return
	}
	x, ok := entries[p.Index]
	if !ok || x.rev == nil {
		res.fail("%s: its leaf %s is missing, does not verify or is not a publication", p.Path, path.Join(LeavesDir, LeafName(p.Index)))
		return
	}
	leafHash := tlog.RecordHash(x.e.Leaf).String()
	if m := metaIndex.FindSubmatch(got); m == nil || string(m[1]) != strconv.FormatInt(p.Index, 10) {
		res.fail("%s: does not name its archive index %d", p.Path, p.Index)
		return
	}
	if m := metaHash.FindSubmatch(got); m == nil || html.UnescapeString(string(m[1])) != leafHash {
		res.fail("%s: the leaf hash it embeds is not the hash of %s (%s)", p.Path, path.Join(LeavesDir, LeafName(p.Index)), leafHash)
		return
	}
	if want := r.pageInfo(x); want != p {
		res.fail("%s: the manifest's entry differs from leaf %d (path %s, title %q, published %s)", p.Path, p.Index, want.Path, want.Title, want.PublishedAt)
		return
	}
	var states []entryInfo
	for _, y := range sorted {
		if y.e.Index > x.e.Index && y.rev == nil && y.e.ItemID == x.e.ItemID && y.e.Revision == x.e.Revision &&
			(y.e.Kind == hall.EntryWithdraw || y.e.Kind == hall.EntryExpire) {
			states = append(states, y)
		}
	}
	want, err := r.page(x, states, media)
	if err != nil {
		res.fail("%s: %v", p.Path, err)
		return
	}
	if !bytes.Equal(got, want) {
		res.fail("%s: differs from leaf %d as rendered (%s)", p.Path, p.Index, firstDiff(got, want))
		return
	}
	res.Pages++
}

// unlisted reports files in sub that the manifest does not list.
func (res *Result) unlisted(dir, sub string, pattern *regexp.Regexp, listed func(string) bool) {
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		res.fail("%s: %v", sub, err)
		return
	}
	for _, e := range entries {
		if !pattern.MatchString(e.Name()) || !listed(e.Name()) {
			res.fail("%s: a file the manifest does not list", path.Join(sub, e.Name()))
		}
	}
}

// firstDiff describes where got first differs from want: the line and a
// little of each.
func firstDiff(got, want []byte) string {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w []byte
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if !bytes.Equal(g, w) {
			return fmt.Sprintf("line %d: has %q, the leaf gives %q", i+1, clip(g), clip(w))
		}
	}
	return "same lines, different bytes"
}

func clip(b []byte) string {
	s := string(b)
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
