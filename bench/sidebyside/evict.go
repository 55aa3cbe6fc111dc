package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// fadvDontNeed is POSIX_FADV_DONTNEED on Linux.
const fadvDontNeed = 4

// evictPageCache drops the page cache of every file under dirs, so the next
// read of the log comes from the disk ("cold") without dropping the caches of
// the whole machine, which other work on it would feel.
func evictPageCache(dirs []string) error {
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return nil
			}
			defer f.Close()
			// Dirty pages cannot be dropped; write them out first.
			_ = f.Sync()
			if _, _, e := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); e != 0 {
				return fmt.Errorf("fadvise %s: %w", path, e)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("evicting page cache under %s: %w", dir, err)
		}
	}
	return nil
}
