package record

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Codec is the compression codec in the low three attribute bits.
type Codec int8

// Codecs, numbered as in the attributes field.
const (
	CodecNone   Codec = 0
	CodecGzip   Codec = 1
	CodecSnappy Codec = 2
	CodecLZ4    Codec = 3
	CodecZstd   Codec = 4
)

func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecGzip:
		return "gzip"
	case CodecSnappy:
		return "snappy"
	case CodecLZ4:
		return "lz4"
	case CodecZstd:
		return "zstd"
	}
	return fmt.Sprintf("codec(%d)", int8(c))
}

// CodecByName maps a compression.type value to a codec. "producer" has no
// codec and returns ok=false; "uncompressed" is CodecNone.
func CodecByName(name string) (c Codec, ok bool) {
	switch name {
	case "uncompressed", "none":
		return CodecNone, true
	case "gzip":
		return CodecGzip, true
	case "snappy":
		return CodecSnappy, true
	case "lz4":
		return CodecLZ4, true
	case "zstd":
		return CodecZstd, true
	}
	return 0, false
}

// xerialMagic opens snappy data framed by the xerial snappy-java stream,
// which Java clients produce; other clients send a raw snappy block.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

// xerialHeaderSize is magic + version int32 + compatible-version int32.
const xerialHeaderSize = 16

var (
	zstdDecOnce sync.Once
	zstdDec     *zstd.Decoder
	zstdDecErr  error
	zstdEncOnce sync.Once
	zstdEnc     *zstd.Encoder
	zstdEncErr  error
)

func zstdDecoder() (*zstd.Decoder, error) {
	zstdDecOnce.Do(func() {
		// Concurrency 0 means GOMAXPROCS decoders for DecodeAll and no
		// background goroutines, which keeps the package leak-free.
		zstdDec, zstdDecErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(uint64(maxDecompressed)))
	})
	return zstdDec, zstdDecErr
}

func zstdEncoder() (*zstd.Encoder, error) {
	zstdEncOnce.Do(func() {
		zstdEnc, zstdEncErr = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	})
	return zstdEnc, zstdEncErr
}

// maxDecompressed bounds what one batch may inflate to, so a tiny malicious
// batch cannot exhaust memory.
var maxDecompressed = 256 << 20

// Decompress inflates a records section compressed with c. Errors wrap
// kerr.CorruptMessage.
func Decompress(c Codec, src []byte) ([]byte, error) {
	out, err := decompress(c, src)
	if err != nil {
		return nil, fmt.Errorf("record: %s decompression failed: %v: %w", c, err, kerr.CorruptMessage)
	}
	return out, nil
}

func decompress(c Codec, src []byte) ([]byte, error) {
	switch c {
	case CodecNone:
		return src, nil
	case CodecGzip:
		r, err := gzip.NewReader(bytes.NewReader(src))
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return readBounded(r)
	case CodecSnappy:
		return snappyDecode(src)
	case CodecLZ4:
		return readBounded(lz4.NewReader(bytes.NewReader(src)))
	case CodecZstd:
		d, err := zstdDecoder()
		if err != nil {
			return nil, err
		}
		return d.DecodeAll(src, nil)
	}
	return nil, fmt.Errorf("unknown codec %d", int8(c))
}

func readBounded(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, int64(maxDecompressed)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(maxDecompressed) {
		return nil, fmt.Errorf("decompressed size exceeds %d bytes", maxDecompressed)
	}
	return buf.Bytes(), nil
}

func snappyDecode(src []byte) ([]byte, error) {
	if !bytes.HasPrefix(src, xerialMagic) {
		if n, err := snappy.DecodedLen(src); err != nil {
			return nil, err
		} else if n > maxDecompressed {
			return nil, fmt.Errorf("decompressed size %d exceeds %d bytes", n, maxDecompressed)
		}
		return snappy.Decode(nil, src)
	}
	if len(src) < xerialHeaderSize {
		return nil, fmt.Errorf("xerial snappy header truncated")
	}
	var out []byte
	rest := src[xerialHeaderSize:]
	for len(rest) > 0 {
		if len(rest) < 4 {
			return nil, fmt.Errorf("xerial snappy chunk length truncated")
		}
		n := int64(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
		if n > int64(len(rest)) {
			return nil, fmt.Errorf("xerial snappy chunk of %d bytes truncated to %d", n, len(rest))
		}
		dl, err := snappy.DecodedLen(rest[:n])
		if err != nil {
			return nil, err
		}
		if len(out)+dl > maxDecompressed {
			return nil, fmt.Errorf("decompressed size exceeds %d bytes", maxDecompressed)
		}
		chunk, err := snappy.Decode(nil, rest[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
		rest = rest[n:]
	}
	return out, nil
}

// xerialBlockSize matches snappy-java's default block size.
const xerialBlockSize = 32 << 10

// Compress deflates src with c. Snappy output uses the xerial framing that
// Java clients expect; every Kafka client reads it.
func Compress(c Codec, src []byte) ([]byte, error) {
	switch c {
	case CodecNone:
		return src, nil
	case CodecGzip:
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(src); err != nil {
			return nil, fmt.Errorf("record: gzip compression: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("record: gzip compression: %w", err)
		}
		return buf.Bytes(), nil
	case CodecSnappy:
		out := append([]byte(nil), xerialMagic...)
		out = binary.BigEndian.AppendUint32(out, 1) // version
		out = binary.BigEndian.AppendUint32(out, 1) // minimum compatible version
		for len(src) > 0 {
			n := min(len(src), xerialBlockSize)
			block := snappy.Encode(nil, src[:n])
			out = binary.BigEndian.AppendUint32(out, uint32(len(block)))
			out = append(out, block...)
			src = src[n:]
		}
		return out, nil
	case CodecLZ4:
		var buf bytes.Buffer
		w := lz4.NewWriter(&buf)
		if _, err := w.Write(src); err != nil {
			return nil, fmt.Errorf("record: lz4 compression: %w", err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("record: lz4 compression: %w", err)
		}
		return buf.Bytes(), nil
	case CodecZstd:
		e, err := zstdEncoder()
		if err != nil {
			return nil, fmt.Errorf("record: zstd encoder: %w", err)
		}
		return e.EncodeAll(src, nil), nil
	}
	return nil, fmt.Errorf("record: unknown codec %d", int8(c))
}
