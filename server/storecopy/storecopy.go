// Package storecopy copies a whole hallcast deployment from one store to
// another: every record a hall.Dumper streams goes into an empty
// hall.Loader, kind by kind, in batches.
package storecopy

import (
	"context"
	"fmt"

	"github.com/hallcast/hallcast/server/hall"
)

// Counts is how many records of each kind were copied.
type Counts map[string]int

// Total is the number of records copied.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Copy checks that to is empty, then loads every record of from into it.
// progress, when not nil, is called after each batch with the kind and the
// records of that kind copied so far. A refused target (not empty) is an
// error of code hall.EConflict, and then nothing was written.
func Copy(ctx context.Context, from hall.Dumper, to hall.Loader, progress func(kind string, done int)) (Counts, error) {
	if err := to.CheckEmpty(ctx); err != nil {
		return nil, err
	}
	counts := Counts{}
	err := from.Dump(ctx, func(b *hall.Batch) error {
		if err := to.Load(ctx, b); err != nil {
			return fmt.Errorf("after %d %s: %w", counts[b.Kind], b.Kind, err)
		}
		counts[b.Kind] += b.Len()
		if progress != nil {
			progress(b.Kind, counts[b.Kind])
		}
		return nil
	})
	if err != nil {
		return counts, fmt.Errorf("copy: %w", err)
	}
	return counts, nil
}
