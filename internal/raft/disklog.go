package raft

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	pb "go.etcd.io/raft/v3/raftpb"
)

// diskLog stores raft entries as Kafka log segments: <20-digit base
// offset>.log files holding one RecordBatch per entry at offset index-1.
type diskLog struct {
	dir          string
	segmentBytes int64
	segs         []*segment
	log          *slog.Logger
}

type segment struct {
	base int64 // offset of the first batch
	f    *os.File
	size int64
	pos  []int64 // file position of offset base+i
}

func (s *segment) next() int64 { return s.base + int64(len(s.pos)) }

func segmentName(base int64) string { return fmt.Sprintf("%020d.log", base) }

// openDiskLog recovers every segment in dir: it validates each batch, cuts
// the log at the first torn or corrupt batch (the tail a crash may leave) and
// drops later segments. It returns the surviving entries in order.
func openDiskLog(dir string, segmentBytes int64, log *slog.Logger) (*diskLog, []*pb.Entry, error) {
	d := &diskLog{dir: dir, segmentBytes: segmentBytes, log: log}
	names, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, nil, fmt.Errorf("raft: list segments: %w", err)
	}
	var bases []int64
	for _, n := range names {
		b, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(n), ".log"), 10, 64)
		if err != nil {
			continue
		}
		bases = append(bases, b)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	var entries []*pb.Entry
	for i, base := range bases {
		path := filepath.Join(dir, segmentName(base))
		if len(d.segs) > 0 && d.segs[len(d.segs)-1].next() != base {
			log.Warn("raft: segment does not continue the log; removing it and later ones", "segment", path)
			if err := d.removeFrom(bases[i:]); err != nil {
				return nil, nil, err
			}
			break
		}
		seg, ents, torn, err := recoverSegment(path, base, log)
		if err != nil {
			return nil, nil, err
		}
		d.segs = append(d.segs, seg)
		entries = append(entries, ents...)
		if torn {
			if err := d.removeFrom(bases[i+1:]); err != nil {
				return nil, nil, err
			}
			break
		}
	}
	return d, entries, nil
}

func (d *diskLog) removeFrom(bases []int64) error {
	for _, b := range bases {
		p := filepath.Join(d.dir, segmentName(b))
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("raft: remove segment %s: %w", p, err)
		}
	}
	return nil
}

func recoverSegment(path string, base int64, log *slog.Logger) (*segment, []*pb.Entry, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0o644)
	if err != nil {
		return nil, nil, false, fmt.Errorf("raft: open segment: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, false, fmt.Errorf("raft: read segment %s: %w", path, err)
	}
	seg := &segment{base: base, f: f}
	var ents []*pb.Entry
	pos := 0
	torn := false
	for pos < len(data) {
		n, err := batchLen(data[pos:])
		var d decodedBatch
		if err == nil {
			d, err = decodeBatch(data[pos : pos+n])
		}
		if err == nil && d.offset != seg.next() {
			err = fmt.Errorf("%w: offset %d where %d expected", errTorn, d.offset, seg.next())
		}
		var e *pb.Entry
		if err == nil {
			e, err = d.toEntry()
		}
		if err != nil {
			log.Warn("raft: truncating metadata log tail", "segment", path, "position", pos, "reason", err)
			torn = true
			break
		}
		ents = append(ents, e)
		seg.pos = append(seg.pos, int64(pos))
		pos += n
	}
	if torn {
		if err := f.Truncate(int64(pos)); err != nil {
			f.Close()
			return nil, nil, false, fmt.Errorf("raft: truncate torn tail of %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, false, fmt.Errorf("raft: sync %s: %w", path, err)
		}
	}
	seg.size = int64(pos)
	if _, err := f.Seek(seg.size, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, false, fmt.Errorf("raft: seek %s: %w", path, err)
	}
	return seg, ents, torn, nil
}

// nextOffset is the offset the next appended entry must have.
func (d *diskLog) nextOffset() int64 {
	if len(d.segs) == 0 {
		return -1
	}
	return d.segs[len(d.segs)-1].next()
}

func (d *diskLog) newSegment(base int64) error {
	p := filepath.Join(d.dir, segmentName(base))
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("raft: create segment: %w", err)
	}
	d.segs = append(d.segs, &segment{base: base, f: f})
	return syncDir(d.dir)
}

// append writes entries; an entry at or below the current end first cuts the
// log there, which is how raft overwrites a diverged suffix.
func (d *diskLog) append(ents []*pb.Entry, tsMs int64, sync bool) error {
	if len(ents) == 0 {
		return nil
	}
	first := int64(ents[0].GetIndex()) - 1
	if next := d.nextOffset(); next >= 0 && first < next {
		if err := d.truncate(first); err != nil {
			return err
		}
	}
	if next := d.nextOffset(); next >= 0 && first != next {
		return fmt.Errorf("raft: append at offset %d leaves a gap after %d", first, next)
	}
	if len(d.segs) == 0 {
		if err := d.newSegment(first); err != nil {
			return err
		}
	}
	seg := d.segs[len(d.segs)-1]
	var buf []byte
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := seg.f.Write(buf); err != nil {
			return fmt.Errorf("raft: write segment %d: %w", seg.base, err)
		}
		buf = buf[:0]
		return nil
	}
	for _, e := range ents {
		if seg.size >= d.segmentBytes && len(seg.pos) > 0 {
			if err := flush(); err != nil {
				return err
			}
			if err := seg.f.Sync(); err != nil {
				return fmt.Errorf("raft: sync segment: %w", err)
			}
			if err := d.newSegment(int64(e.GetIndex()) - 1); err != nil {
				return err
			}
			seg = d.segs[len(d.segs)-1]
		}
		b := encodeEntry(e, tsMs)
		seg.pos = append(seg.pos, seg.size)
		seg.size += int64(len(b))
		buf = append(buf, b...)
	}
	if err := flush(); err != nil {
		return err
	}
	if sync {
		if err := seg.f.Sync(); err != nil {
			return fmt.Errorf("raft: sync segment: %w", err)
		}
	}
	return nil
}

// truncate removes every entry at offset >= off.
func (d *diskLog) truncate(off int64) error {
	for len(d.segs) > 0 {
		seg := d.segs[len(d.segs)-1]
		if off <= seg.base {
			seg.f.Close()
			if err := os.Remove(filepath.Join(d.dir, segmentName(seg.base))); err != nil {
				return fmt.Errorf("raft: remove segment: %w", err)
			}
			d.segs = d.segs[:len(d.segs)-1]
			continue
		}
		if off < seg.next() {
			p := seg.pos[off-seg.base]
			if err := seg.f.Truncate(p); err != nil {
				return fmt.Errorf("raft: truncate segment %d: %w", seg.base, err)
			}
			if _, err := seg.f.Seek(p, io.SeekStart); err != nil {
				return fmt.Errorf("raft: seek segment %d: %w", seg.base, err)
			}
			seg.pos = seg.pos[:off-seg.base]
			seg.size = p
			if err := seg.f.Sync(); err != nil {
				return fmt.Errorf("raft: sync segment: %w", err)
			}
		}
		break
	}
	return nil
}

// compactTo rolls a fresh segment at nextOff when the active one holds data
// and deletes every segment whose entries all lie below keepFrom. It runs
// after a snapshot file covering keepFrom-1 is durable.
func (d *diskLog) compactTo(keepFrom int64) error {
	if n := len(d.segs); n > 0 && len(d.segs[n-1].pos) > 0 && d.segs[n-1].next() <= keepFrom {
		if err := d.newSegment(d.segs[n-1].next()); err != nil {
			return err
		}
	}
	for len(d.segs) > 1 && d.segs[0].next() <= keepFrom {
		seg := d.segs[0]
		seg.f.Close()
		if err := os.Remove(filepath.Join(d.dir, segmentName(seg.base))); err != nil {
			return fmt.Errorf("raft: delete compacted segment: %w", err)
		}
		d.segs = d.segs[1:]
	}
	return nil
}

// reset drops the whole log, used when a snapshot from the leader replaces it.
func (d *diskLog) reset(next int64) error {
	for _, s := range d.segs {
		s.f.Close()
		if err := os.Remove(filepath.Join(d.dir, segmentName(s.base))); err != nil {
			return fmt.Errorf("raft: remove segment: %w", err)
		}
	}
	d.segs = nil
	return d.newSegment(next)
}

func (d *diskLog) close() error {
	var first error
	for _, s := range d.segs {
		if err := s.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	d.segs = nil
	return first
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("raft: open dir for sync: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("raft: sync dir %s: %w", dir, err)
	}
	return nil
}
