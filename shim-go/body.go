package main

import (
	"errors"
	"io"
)

// rewindBody is a request or response body as Tyk hands it to every hook
// (its nopCloserBuffer): reading it to the end rewinds it, and the shim
// rewinds it before each hook, so a hook that consumes the body without
// restoring it leaves it whole for the next hook and for the upstream.
// A body a hook put in place is read on first use, as Tyk reads it lazily.
type rewindBody struct {
	src io.ReadCloser
	buf []byte
	pos int
	err error
}

func newRewindBody(b []byte) *rewindBody { return &rewindBody{buf: b} }

// adopt wraps a body a hook put in place; nil and http.NoBody stay as they are.
func adopt(rc io.ReadCloser) *rewindBody {
	if b, ok := rc.(*rewindBody); ok {
		return b
	}
	return &rewindBody{src: rc}
}

// bytes reads the whole body (once) and returns it; the read position is kept.
func (b *rewindBody) bytes() ([]byte, error) {
	if b.src != nil {
		b.buf, b.err = io.ReadAll(b.src)
		_ = b.src.Close()
		b.src = nil
	}
	return b.buf, b.err
}

func (b *rewindBody) Read(p []byte) (int, error) {
	if _, err := b.bytes(); err != nil {
		return 0, err
	}
	if b.pos >= len(b.buf) {
		b.pos = 0
		return 0, io.EOF
	}
	n := copy(p, b.buf[b.pos:])
	b.pos += n
	return n, nil
}

var errSeek = errors.New("rewindBody: only io.SeekStart within the body is supported")

// Seek supports what Tyk's buffer does: an absolute offset within the body.
func (b *rewindBody) Seek(offset int64, whence int) (int64, error) {
	if _, err := b.bytes(); err != nil {
		return 0, err
	}
	if whence != io.SeekStart || offset < 0 || offset > int64(len(b.buf)) {
		return 0, errSeek
	}
	b.pos = int(offset)
	return offset, nil
}

func (b *rewindBody) rewind() { b.pos = 0 }

// Close leaves the body readable: a hook closing it must not take it from
// later hooks or the upstream.
func (b *rewindBody) Close() error { return nil }
