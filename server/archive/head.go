package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// HeadFileName is the file in the data directory, beside the key, where the
// server keeps the highest tree head it has signed. Whoever can rewrite the
// store can also delete its checkpoints; this copy lives outside the store,
// so a history rewritten in the store is caught at the next start, before
// anything is signed over it.
const HeadFileName = "archive-head"

// readHead returns the head in the head file, or nil when there is none. A
// file that is not a checkpoint signed by the log's key is an error: the
// server does not start over a head it cannot read.
func (l *Log) readHead() (*Head, error) {
	data, err := os.ReadFile(l.headFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("archive head: %w", err)
	}
	h, err := OpenHead(string(data), l.verifier, l.origin)
	if err != nil {
		return nil, fmt.Errorf("archive head %s: %w (restore it from a backup, or remove it to trust the store's checkpoints)", l.headFile, err)
	}
	return h, nil
}

// checkHead checks that the tree of size entries extends the head: it has at
// least head.Size entries and the first head.Size hash to head.Root.
func (l *Log) checkHead(head *Head, size int64) error {
	if head.Size > size {
		return inconsistent("a tree head of size %d was signed (%s), but the archive holds only %d entries: entries were removed",
			head.Size, l.headFile, size)
	}
	l.mu.RLock()
	root, err := l.tree.root(head.Size)
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	if root != head.Root {
		return inconsistent("the tree head of size %d signed before (%s) has root %s, the stored entries hash to %s: entries were altered",
			head.Size, l.headFile, head.Root, root)
	}
	return nil
}

// writeHead replaces the head file with the signed note, atomically: a new
// file in the same directory, synced, renamed over the old one, and the
// directory synced. The caller has checked that the note extends the head
// in the file.
func (l *Log) writeHead(note string) error {
	dir, name := filepath.Split(l.headFile)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("archive head: %w", err)
	}
	tmp, err := writeTemp(dir, name, []byte(strings.TrimRight(note, "\n")+"\n"))
	if err != nil {
		return fmt.Errorf("archive head: %w", err)
	}
	defer os.Remove(tmp)
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("archive head: %w", err)
	}
	if err := os.Rename(tmp, l.headFile); err != nil {
		return fmt.Errorf("archive head: install %s: %w", l.headFile, err)
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("archive head: sync %s: %w", dir, err)
		}
	}
	return nil
}
