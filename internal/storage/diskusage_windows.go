package storage

import "errors"

// diskUsage is not implemented on Windows; DirInfos reports -1.
func diskUsage(string) (total, free int64, err error) {
	return 0, 0, errors.New("storage: disk usage not implemented on windows")
}
