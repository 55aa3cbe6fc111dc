package storage

import (
	"fmt"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kerr"
)

// dirState tracks whether a log dir is usable. Like Kafka's log dir failure
// handling, the first I/O error on any file of a dir takes the whole dir
// offline: its partitions answer KAFKA_STORAGE_ERROR until restart, and new
// partitions go to other dirs. Logs share their dir's state by pointer so
// failing needs no manager lock.
type dirState struct {
	path string
	err  atomic.Pointer[error]
}

// fail records err; it reports whether this call took the dir offline.
func (d *dirState) fail(err error) bool {
	return d.err.CompareAndSwap(nil, &err)
}

// failure is the error that took the dir offline, nil while healthy.
func (d *dirState) failure() error {
	if p := d.err.Load(); p != nil {
		return *p
	}
	return nil
}

// ioError takes the log's dir offline after a failed disk operation.
func (l *Log) ioError(err error) {
	if l.dirState == nil {
		return
	}
	if l.dirState.fail(err) {
		l.env.logger.Error("log dir failed; its partitions are offline", "dir", l.dirState.path, "partition", l.tp.String(), "error", err)
	}
}

// checkOnline returns kerr.KafkaStorageError when the log's dir failed.
func (l *Log) checkOnline() error {
	if l.dirState == nil {
		return nil
	}
	if err := l.dirState.failure(); err != nil {
		return fmt.Errorf("storage: %s is offline: log dir %s failed: %v: %w", l.tp, l.dirState.path, err, kerr.KafkaStorageError)
	}
	return nil
}
