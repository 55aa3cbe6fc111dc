package metaprops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/odradek/odradek/internal/config"
)

// FileName is the per-directory identity file.
const FileName = "meta.properties"

// Version is the only meta.properties version KRaft-mode Kafka 4.x uses.
const Version = 1

// MetaProperties is the content of one meta.properties file.
type MetaProperties struct {
	Version     int
	ClusterID   string
	NodeID      int32
	DirectoryID UUID // zero when the file predates directory ids
}

// ErrNotFormatted is wrapped by Read when a directory has no
// meta.properties.
var ErrNotFormatted = errors.New("not formatted")

// javaKeyOrder is the order java.util.Properties.store emits these four
// keys in (its hash-table order), so our files match Kafka's byte for byte.
var javaKeyOrder = []string{"node.id", "directory.id", "version", "cluster.id"}

// Encode renders mp like java.util.Properties.store with an empty comment:
// a "#" line, a "#<date>" line, then the key=value lines in Kafka's order.
func Encode(mp MetaProperties, now time.Time) []byte {
	props := map[string]string{
		"version":    strconv.Itoa(mp.Version),
		"cluster.id": mp.ClusterID,
		"node.id":    strconv.Itoa(int(mp.NodeID)),
	}
	if !mp.DirectoryID.IsZero() {
		props["directory.id"] = mp.DirectoryID.String()
	}
	// Java's Date.toString format: "EEE MMM dd HH:mm:ss zzz yyyy".
	header := []string{"", now.Format("Mon Jan 02 15:04:05 MST 2006")}
	return []byte(config.FormatPropertiesOrdered(header, javaKeyOrder, props))
}

// Decode parses meta.properties text.
func Decode(data []byte) (MetaProperties, error) {
	props, err := config.ParseProperties(string(data))
	if err != nil {
		return MetaProperties{}, err
	}
	var mp MetaProperties
	v, ok := props["version"]
	if !ok {
		return mp, errors.New("missing version")
	}
	if mp.Version, err = strconv.Atoi(v); err != nil {
		return mp, fmt.Errorf("bad version %q", v)
	}
	if mp.Version != Version {
		return mp, fmt.Errorf("unsupported meta.properties version %d; KRaft mode needs version %d (version 0 files come from ZooKeeper-mode clusters)", mp.Version, Version)
	}
	if mp.ClusterID = props["cluster.id"]; mp.ClusterID == "" {
		return mp, errors.New("missing cluster.id")
	}
	n, ok := props["node.id"]
	if !ok {
		return mp, errors.New("missing node.id")
	}
	id, err := strconv.ParseInt(n, 10, 32)
	if err != nil || id < 0 {
		return mp, fmt.Errorf("bad node.id %q", n)
	}
	mp.NodeID = int32(id)
	if d, ok := props["directory.id"]; ok {
		if mp.DirectoryID, err = ParseUUID(d); err != nil {
			return mp, fmt.Errorf("bad directory.id: %w", err)
		}
	}
	return mp, nil
}

// Read loads <dir>/meta.properties. A missing file yields an error
// wrapping ErrNotFormatted.
func Read(dir string) (MetaProperties, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return MetaProperties{}, fmt.Errorf("%s: %w", path, ErrNotFormatted)
	}
	if err != nil {
		return MetaProperties{}, fmt.Errorf("reading %s: %w", path, err)
	}
	mp, err := Decode(data)
	if err != nil {
		return mp, fmt.Errorf("%s: %w", path, err)
	}
	return mp, nil
}

// Write stores mp in <dir>/meta.properties atomically: a fsynced temporary
// file renamed over the old one, then the directory fsynced, so a crash
// leaves either the old or the new file.
func Write(dir string, mp MetaProperties, now time.Time) error {
	return writeAtomic(filepath.Join(dir, FileName), Encode(mp, now))
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // best effort: not every filesystem supports directory fsync
		d.Close()
	}
	return nil
}
