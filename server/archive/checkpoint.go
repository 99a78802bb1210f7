package archive

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// checkpointText is the body of a checkpoint note in the common transparency
// log format: the log's origin, the tree size in decimal and the tree hash in
// base64, one a line.
func checkpointText(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, root)
}

// signCheckpoint returns the signed note of a tree head.
func signCheckpoint(signer note.Signer, origin string, size int64, root tlog.Hash) (string, error) {
	msg, err := note.Sign(&note.Note{Text: checkpointText(origin, size, root)}, signer)
	if err != nil {
		return "", fmt.Errorf("sign checkpoint of size %d: %w", size, err)
	}
	return string(msg), nil
}

// OpenCheckpoint checks that a checkpoint note is signed by the verifier's
// key and names the origin, and returns the tree size and hash it signs.
// An empty origin means the verifier's name.
func OpenCheckpoint(msg string, verifier note.Verifier, origin string) (size int64, root tlog.Hash, err error) {
	if origin == "" {
		origin = verifier.Name()
	}
	n, err := note.Open([]byte(msg), note.VerifierList(verifier))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint: want origin, size and root lines")
	}
	if lines[0] != origin {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint is for log %q, want %q", lines[0], origin)
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint: malformed size %q", lines[1])
	}
	root, err = tlog.ParseHash(lines[2])
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint: malformed root %q", lines[2])
	}
	return size, root, nil
}

// VerifyInclusion checks that leaf is entry index of the tree of the given
// size and root hash, using an inclusion proof from Log.InclusionProof.
func VerifyInclusion(leaf []byte, index, size int64, root tlog.Hash, proof tlog.RecordProof) error {
	if index < 0 || index >= size {
		return fmt.Errorf("inclusion proof: entry %d is not in a tree of size %d", index, size)
	}
	if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("inclusion proof of entry %d in tree of size %d: %w", index, size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size from and hash fromRoot is a
// prefix of the tree of size to and hash toRoot, using a consistency proof
// from Log.ConsistencyProof.
func VerifyConsistency(from, to int64, fromRoot, toRoot tlog.Hash, proof tlog.TreeProof) error {
	if from < 1 || from > to {
		return fmt.Errorf("consistency proof: want 1 <= from <= to, have from %d, to %d", from, to)
	}
	if err := tlog.CheckTree(proof, to, toRoot, from, fromRoot); err != nil {
		return fmt.Errorf("consistency proof from size %d to %d: %w", from, to, err)
	}
	return nil
}
