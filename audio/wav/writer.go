package wav

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/pitchline/pitchline/audio"
)

// Writer is an audio.Sink that writes a mono 16-bit PCM WAV file.
type Writer struct {
	ws     io.WriteSeeker
	file   *os.File // closed by Close when Create opened it
	bw     *bufio.Writer
	rate   int
	bytes  int64
	buf    []byte
	closed bool
	name   string
}

var _ audio.Sink = (*Writer)(nil)

// Create creates (or truncates) the file at path and writes a WAV header
// for mono 16-bit PCM at rate.
func Create(path string, rate int) (*Writer, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("wav: create %s: %w: %d Hz", path, ErrRate, rate)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("wav: create %s: %w", path, err)
	}
	w, err := NewWriter(f, rate)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("wav: create %s: %w", path, err)
	}
	w.file, w.name = f, path
	return w, nil
}

// NewWriter writes a mono 16-bit WAV stream at rate to ws. Close patches
// the header sizes but does not close ws.
func NewWriter(ws io.WriteSeeker, rate int) (*Writer, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("%w: %d Hz", ErrRate, rate)
	}
	w := &Writer{ws: ws, bw: bufio.NewWriterSize(ws, 32<<10), rate: rate, buf: make([]byte, 2*audio.FrameSamples(rate)), name: "stream"}
	if _, err := w.bw.Write(header(rate, 0)); err != nil {
		return nil, err
	}
	return w, nil
}

func header(rate int, dataBytes uint32) []byte {
	h := make([]byte, 44)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], 36+dataBytes)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], formatPCM)
	le.PutUint16(h[22:], 1)
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*2))
	le.PutUint16(h[32:], 2)
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataBytes)
	return h
}

// Rate returns the sample rate.
func (w *Writer) Rate() int { return w.rate }

// WriteFrame appends samples (any length) to the file.
func (w *Writer) WriteFrame(src []int16) error {
	if w.closed {
		return ErrClosed
	}
	if w.bytes+2*int64(len(src)) > 0xFFFFFFFF-36 {
		return fmt.Errorf("%w: %s would exceed 4 GiB", ErrTooLarge, w.name)
	}
	for len(src) > 0 {
		n := min(len(src), len(w.buf)/2)
		for i, s := range src[:n] {
			binary.LittleEndian.PutUint16(w.buf[2*i:], uint16(s))
		}
		if _, err := w.bw.Write(w.buf[:2*n]); err != nil {
			return fmt.Errorf("wav: write %s: %w", w.name, err)
		}
		w.bytes += 2 * int64(n)
		src = src[n:]
	}
	return nil
}

// Close flushes buffered samples, writes the final RIFF and data sizes into
// the header and, for files made by Create, closes the file.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.bw.Flush()
	if err == nil {
		var sz [4]byte
		binary.LittleEndian.PutUint32(sz[:], uint32(36+w.bytes))
		if _, err = w.ws.Seek(4, io.SeekStart); err == nil {
			if _, err = w.ws.Write(sz[:]); err == nil {
				binary.LittleEndian.PutUint32(sz[:], uint32(w.bytes))
				if _, err = w.ws.Seek(40, io.SeekStart); err == nil {
					_, err = w.ws.Write(sz[:])
				}
			}
		}
	}
	if w.file != nil {
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("wav: close %s: %w", w.name, err)
	}
	return nil
}
