//go:build !linux

package storage

import "os"

// startWriteback has no portable equivalent; the OS writes back on its own.
func startWriteback(*os.File, int64, int64) {}
