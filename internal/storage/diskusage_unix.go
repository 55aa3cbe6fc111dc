//go:build !windows

package storage

import "syscall"

// diskUsage returns the total and available bytes of the filesystem at dir.
func diskUsage(dir string) (total, free int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return int64(st.Blocks) * int64(st.Bsize), int64(st.Bavail) * int64(st.Bsize), nil
}
