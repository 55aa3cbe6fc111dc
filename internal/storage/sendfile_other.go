//go:build !linux

package storage

import "io"

// sendFile has no zero-copy path off Linux; WriteTo copies instead.
func sendFile(io.Writer, *FileSlice) (int64, bool, error) { return 0, false, nil }
