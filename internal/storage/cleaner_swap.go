package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/odradek/odradek/internal/record"
)

// A cleaned group of segments replaces the originals in steps that leave a
// log dir that loads consistently after a crash at any point:
//
//  1. <base>.log.cleaned, its .index.cleaned and .timeindex.cleaned (built
//     here, outside the log lock) and <base>.txnindex.cleaned are written
//     and fsynced (a crash leaves leftovers that loading removes);
//  2. the indexes, then the log, are renamed to .swap; the .log.swap is the
//     commit point: from then on loading completes the swap;
//  3. every replaced segment's files are renamed .deleted;
//  4. the index .swap files, then <base>.log.swap, take their final names.
//
// The .txnindex.swap is written even when empty so that loading can tell
// an old <base>.txnindex (swap still present) from the new one (renamed).
// Loading rebuilds the offset and time indexes of a swap it completes.

const (
	logSwapSuffix      = logSuffix + swapSuffix
	txnIndexSwapSuffix = txnIndexSuffix + swapSuffix
)

// Names of the steps passed to the test hook.
const (
	stepCleaned    = "cleaned"
	stepSwap       = "swap"
	stepDeleted    = "deleted" // after each replaced segment
	stepTxnIndexIn = "txnindex-in"
	stepSwappedIn  = "swapped-in"
)

func (l *Log) cleanerStep(step string) error {
	if h := l.env.cleanerHook; h != nil {
		if err := h(step); err != nil {
			return fmt.Errorf("storage: cleaner stopped at step %s: %w", step, err)
		}
	}
	return nil
}

// completeSwaps finishes cleaner swaps interrupted by a crash: the segments
// a complete "<base>.log.swap" covers are removed and the swap files take
// their final names. Indexes are rebuilt when the log loads.
func completeSwaps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: list %s: %w", dir, err)
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, logSwapSuffix) {
			continue
		}
		base, err := strconv.ParseInt(strings.TrimSuffix(name, logSwapSuffix), 10, 64)
		if err != nil {
			continue // not ours; removed as a leftover
		}
		if err := completeSwap(dir, base, ents); err != nil {
			return err
		}
	}
	return nil
}

func completeSwap(dir string, base int64, ents []os.DirEntry) error {
	swapLog := offsetFileName(dir, base, logSwapSuffix)
	next, err := swapNextOffset(swapLog, base)
	if err != nil {
		return err
	}
	swapTxn := offsetFileName(dir, base, txnIndexSwapSuffix)
	_, statErr := os.Stat(swapTxn)
	newTxnInPlace := errors.Is(statErr, os.ErrNotExist)
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, logSuffix) {
			continue
		}
		off, err := strconv.ParseInt(strings.TrimSuffix(name, logSuffix), 10, 64)
		if err != nil || off < base || off >= next {
			continue
		}
		for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix, txnIndexSuffix} {
			if suf == txnIndexSuffix && off == base && newTxnInPlace {
				continue
			}
			if err := os.Remove(offsetFileName(dir, off, suf)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
			}
		}
	}
	// The base segment's .log may already be .deleted while its indexes
	// (never renamed before the .log) are not.
	for _, suf := range []string{indexSuffix, timeIndexSuffix} {
		if err := os.Remove(offsetFileName(dir, base, suf)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
		}
	}
	if !newTxnInPlace {
		if err := os.Rename(swapTxn, offsetFileName(dir, base, txnIndexSuffix)); err != nil {
			return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
		}
	}
	if err := os.Rename(swapLog, offsetFileName(dir, base, logSuffix)); err != nil {
		return fmt.Errorf("storage: complete swap in %s: %w", dir, err)
	}
	return removeEmptyTxnIndex(offsetFileName(dir, base, txnIndexSuffix))
}

// swapNextOffset returns one past the last offset in a swap file (which
// was fsynced whole before it got its name).
func swapNextOffset(path string, base int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	next := base
	var pos int64
	var hdr [record.HeaderSize]byte
	for {
		if _, err := f.ReadAt(hdr[:], pos); err != nil {
			if errors.Is(err, io.EOF) {
				return next, nil
			}
			return 0, fmt.Errorf("storage: read %s: %w", path, err)
		}
		h, err := record.ParseHeader(hdr[:])
		if err != nil || h.Length < record.HeaderSize-record.LogOverhead {
			return next, nil
		}
		next = h.LastOffset() + 1
		pos += int64(h.Size())
	}
}

func removeEmptyTxnIndex(path string) error {
	st, err := os.Stat(path)
	if err != nil || st.Size() > 0 {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: remove empty %s: %w", path, err)
	}
	return nil
}

// writeTxnIndexFile writes entries in .txnindex format to path, fsynced.
func writeTxnIndexFile(path string, entries []AbortedTxn) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: remove %s: %w", path, err)
	}
	x := &txnIndex{path: path}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: create %s: %w", path, err)
	}
	x.f = f
	for _, e := range entries {
		if err := x.append(e); err != nil {
			x.close()
			return err
		}
	}
	if err := x.sync(); err != nil {
		x.close()
		return fmt.Errorf("storage: sync %s: %w", path, err)
	}
	return x.close()
}

// cleanedFiles are the files a group is written to before the swap, in
// the order they are renamed (the .log last: it commits the swap).
type cleanedFiles struct {
	index, timeIndex, txnIndex, log string
}

func newCleanedFiles(dir string, base int64) cleanedFiles {
	name := func(suf string) string { return offsetFileName(dir, base, suf+cleanedSuffix) }
	return cleanedFiles{index: name(indexSuffix), timeIndex: name(timeIndexSuffix), txnIndex: name(txnIndexSuffix), log: name(logSuffix)}
}

func (c cleanedFiles) paths() []string { return []string{c.index, c.timeIndex, c.txnIndex, c.log} }

func (c cleanedFiles) remove() {
	for _, p := range c.paths() {
		os.Remove(p)
	}
}

// buildCleanedIndexes writes the offset and time indexes of the cleaned
// log, so that the swap, done under the log lock, only renames files.
func buildCleanedIndexes(dir string, base int64, cfg LogConfig, c cleanedFiles) error {
	f, err := os.OpenFile(c.log, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", c.log, err)
	}
	s := &segment{dir: dir, baseOffset: base, log: f, maxTimestamp: -1, offsetOfMaxTimestamp: base,
		rollingBasedTimestamp: -1, txn: &txnIndex{path: c.txnIndex}}
	s.logRefs.Store(1)
	defer s.releaseLog()
	if s.oidx, err = openOffsetIndex(c.index, base, cfg.SegmentIndexBytes); err != nil {
		return err
	}
	if s.tidx, err = openTimeIndex(c.timeIndex, base, cfg.SegmentIndexBytes); err != nil {
		return err
	}
	if _, err := s.recover(cfg.IndexIntervalBytes, nil); err != nil {
		return err
	}
	if err := s.onBecomeInactive(); err != nil {
		return err
	}
	if err := errors.Join(s.oidx.sync(), s.tidx.sync()); err != nil {
		return fmt.Errorf("storage: sync indexes of %s: %w", c.log, err)
	}
	return nil
}

// swapIn replaces segs (adjacent, oldest first) with the fsynced cleaned
// files at base segs[0].baseOffset. It returns without change if
// retention or truncation touched them since the pass was planned.
func (l *Log) swapIn(p *cleanPlan, segs []*segment, c cleanedFiles) error {
	dir := l.dir
	base := segs[0].baseOffset
	var swaps []string
	for _, from := range c.paths() {
		to := strings.TrimSuffix(from, cleanedSuffix) + swapSuffix
		if err := os.Rename(from, to); err != nil {
			for _, s := range swaps {
				os.Remove(s)
			}
			c.remove()
			return fmt.Errorf("storage: rename %s: %w", from, err)
		}
		swaps = append(swaps, to)
	}
	if err := syncDir(dir); err != nil {
		return l.failSwap(err)
	}
	if err := l.cleanerStep(stepSwap); err != nil {
		return l.failSwap(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	idx := l.indexOfRun(segs)
	if idx < 0 || l.closed || l.truncations != p.truncs {
		// Retention or truncation removed segments meanwhile, or a
		// truncation removed records the key map counted on. The log
		// swap goes first so that a crash here cannot complete it.
		for i := len(swaps) - 1; i >= 0; i-- {
			os.Remove(swaps[i])
		}
		return nil
	}
	var old []string
	for _, s := range segs {
		files, err := s.renameForDelete()
		old = append(old, files...)
		if err != nil {
			return l.failSwap(err)
		}
		if err := l.cleanerStep(stepDeleted); err != nil {
			return l.failSwap(err)
		}
	}
	for i, from := range swaps {
		if i == len(swaps)-1 {
			if err := l.cleanerStep(stepTxnIndexIn); err != nil {
				return l.failSwap(err)
			}
		}
		if err := os.Rename(from, strings.TrimSuffix(from, swapSuffix)); err != nil {
			return l.failSwap(fmt.Errorf("storage: rename %s: %w", from, err))
		}
	}
	if err := removeEmptyTxnIndex(offsetFileName(dir, base, txnIndexSuffix)); err != nil {
		return l.failSwap(err)
	}
	if err := syncDir(dir); err != nil {
		return l.failSwap(err)
	}
	if err := l.cleanerStep(stepSwappedIn); err != nil {
		return l.failSwap(err)
	}
	ns, err := openSegmentFiles(dir, base, p.cfg)
	if err != nil {
		return l.failSwap(err)
	}
	if err := ns.loadState(); err != nil {
		ns.closeFiles()
		return l.failSwap(err)
	}
	l.segments = append(l.segments[:idx], append([]*segment{ns}, l.segments[idx+len(segs):]...)...)
	l.recomputeSize()
	l.env.scheduleDelete(old, time.Duration(p.cfg.FileDeleteDelayMs)*time.Millisecond)
	return nil
}

// failSwap handles a failure past the commit point: the in-memory log no
// longer matches its files, so the dir goes offline; loading it again
// completes the swap.
func (l *Log) failSwap(err error) error {
	l.ioError(err)
	return err
}

// indexOfRun returns where segs sit, adjacent and in order, among the
// log's inactive segments, or -1. The caller holds l.mu.
func (l *Log) indexOfRun(segs []*segment) int {
	inactive := l.segments[:len(l.segments)-1]
	for i, s := range inactive {
		if s != segs[0] {
			continue
		}
		if i+len(segs) > len(inactive) {
			return -1
		}
		for j, t := range segs {
			if inactive[i+j] != t {
				return -1
			}
		}
		return i
	}
	return -1
}
