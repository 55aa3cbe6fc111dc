//go:build interop

package interop

import (
	"bytes"
	"sync"
)

// lineLogger is an io.Writer that sends each complete line to log (t.Log) as it arrives, so a
// suite's progress shows up in `go test -v` output while it runs, not only at the end.
type lineLogger struct {
	log    func(args ...any)
	prefix string
	mu     sync.Mutex
	buf    []byte
	closed bool
}

func newLineLogger(log func(args ...any), prefix string) *lineLogger {
	return &lineLogger{log: log, prefix: prefix}
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		// Output after the suite returned (a stray grandchild): t.Log would panic once the
		// test has finished, and the line is not worth that.
		return len(p), nil
	}
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.log(l.prefix + string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

// Close logs a final unterminated line, if any; later writes are dropped. Safe to call twice.
func (l *lineLogger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if len(l.buf) > 0 {
		l.log(l.prefix + string(l.buf))
		l.buf = nil
	}
	return nil
}
