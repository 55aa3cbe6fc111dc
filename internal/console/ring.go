package console

// ring keeps the newest n values pushed into it.
type ring[T any] struct {
	buf   []T
	next  int
	count int
}

func newRing[T any](n int) *ring[T] { return &ring[T]{buf: make([]T, max(n, 1))} }

func (r *ring[T]) push(v T) {
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
	r.count = min(r.count+1, len(r.buf))
}

// values returns the kept values, oldest first.
func (r *ring[T]) values() []T {
	out := make([]T, 0, r.count)
	start := (r.next - r.count + len(r.buf)) % len(r.buf)
	for i := range r.count {
		out = append(out, r.buf[(start+i)%len(r.buf)])
	}
	return out
}

// last returns the newest value.
func (r *ring[T]) last() (T, bool) {
	var zero T
	if r.count == 0 {
		return zero, false
	}
	return r.buf[(r.next-1+len(r.buf))%len(r.buf)], true
}
