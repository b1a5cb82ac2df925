package mixer

import "runtime"

// Every allocation in this package's tests is recorded in the allocation
// profile, so tickAllocs can tell the tick's own allocations from the
// runtime's.
func init() { runtime.MemProfileRate = 1 }
