package managedsync

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
)

// ndjsonLines yields the non-empty lines of r, each at most MaxLineBytes
// long (without its newline). The yielded slice is valid until the next
// line.
func ndjsonLines(r io.Reader) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), MaxLineBytes)
		for sc.Scan() {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			if !yield(line, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				err = fmt.Errorf("%w (limit %d bytes)", ErrLineTooLong, MaxLineBytes)
			} else {
				err = fmt.Errorf("managedsync: reading ndjson stream: %w", err)
			}
			yield(nil, err)
		}
	}
}
