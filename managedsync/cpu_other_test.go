//go:build !unix

package managedsync_test

import "time"

// processCPU is not measured on this system; cpu-ns/record is then 0.
func processCPU() time.Duration { return 0 }
