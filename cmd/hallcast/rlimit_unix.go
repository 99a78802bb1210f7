//go:build unix

package main

import "syscall"

// openFileLimit returns the process's soft limit on open files, 0 if
// unknown; an unlimited one as 1<<20.
func openFileLimit() int64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	if r.Cur > 1<<20 {
		return 1 << 20
	}
	return int64(r.Cur)
}
