package storage

import (
	"io"
	"syscall"
)

// sendFile copies the slice to w with sendfile(2) if w exposes its socket.
func sendFile(w io.Writer, s *FileSlice) (int64, bool, error) {
	sc, ok := w.(syscall.Conn)
	if !ok {
		return 0, false, nil
	}
	out, err := sc.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	in, err := s.File.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	var (
		written int64
		werr    error
		off     = s.Position
	)
	rerr := in.Read(func(infd uintptr) bool {
		err := out.Write(func(outfd uintptr) bool {
			for written < s.Size {
				n, err := syscall.Sendfile(int(outfd), int(infd), &off, int(min(s.Size-written, 1<<30)))
				if n > 0 {
					written += int64(n)
				}
				switch {
				case err == syscall.EAGAIN:
					return false // wait until the socket is writable
				case err == syscall.EINTR:
					continue
				case err != nil:
					werr = err
					return true
				case n == 0:
					werr = io.ErrUnexpectedEOF // the file shrank under us
					return true
				}
			}
			return true
		})
		if werr == nil {
			werr = err
		}
		return true
	})
	if werr == nil {
		werr = rerr
	}
	return written, true, werr
}
